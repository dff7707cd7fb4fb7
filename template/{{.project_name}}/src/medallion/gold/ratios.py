"""Ratios that never fail the run: NULL when the divisor is zero or NULL.

In Python, `safe_divide(numerator, denominator)` on Columns; in the spec's SQL write
`safe_divide(a, b)`, rewritten to Spark's `try_divide(a, b)` by `medallion.sql.expand_safe_divide`,
which follows the same rule on both engines.
"""

from __future__ import annotations

from pyspark.sql import Column
from pyspark.sql import functions as F


def safe_divide(numerator: Column, denominator: Column) -> Column:
    """numerator / denominator, or NULL when the denominator is 0 or NULL (ANSI-safe)."""
    return F.when(denominator != 0, numerator / denominator)
