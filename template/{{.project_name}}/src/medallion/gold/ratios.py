"""Ratios that never fail the run: NULL when the divisor is zero or NULL.

In Python, `safe_divide(numerator, denominator)` on Columns; in the spec's SQL (measures and
aggregates) write `safe_divide(a, b)`, rewritten to Spark's `try_divide(a, b)`, which follows
the same rule on both engines.
"""

from __future__ import annotations

import re

from pyspark.sql import Column
from pyspark.sql import functions as F

from medallion.sql import outside_literals

_SQL_CALL = re.compile(r"\bsafe_divide\s*\(", re.IGNORECASE)


def safe_divide(numerator: Column, denominator: Column) -> Column:
    """numerator / denominator, or NULL when the denominator is 0 or NULL (ANSI-safe)."""
    return F.when(denominator != 0, numerator / denominator)


def expand_sql(text: str) -> str:
    """Rewrite safe_divide(a, b) calls in SQL text to try_divide(a, b)."""
    return outside_literals(text, _SQL_CALL, lambda _: "try_divide(")
