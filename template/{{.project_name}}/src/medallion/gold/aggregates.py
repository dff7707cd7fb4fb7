"""agg_<name>: SQL over gold tables named in braces ({fact_sales}), or a Python function.

Ratios: write `safe_divide(a, b)` (NULL on a zero or NULL divisor; see medallion.gold.ratios).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable
from typing import Any

from pyspark.sql import DataFrame, SparkSession

from medallion.spec.fragments import render_aggregate
from medallion.spec.gold_checks import PLACEHOLDER
from medallion.spec.model import CustomTable
from medallion.sql import find_outside_literals


def placeholders(sql: str) -> list[str]:
    """Table names written in braces, in order of appearance."""
    return find_outside_literals(sql, PLACEHOLDER)


def render_sql(sql: str, known: Iterable[str]) -> str:
    """Replace each {table} by its quoted name; raise ValueError naming unknown tables."""
    allowed = set(known)
    unknown = sorted(set(placeholders(sql)) - allowed)
    if unknown:
        raise ValueError(f"unknown table(s) {', '.join(unknown)}; known: {', '.join(sorted(allowed))}")
    return render_aggregate(sql)


def python_function(path: str) -> Callable[[Any], DataFrame]:
    """Import `module:function`."""
    module, _, function = path.partition(":")
    return getattr(importlib.import_module(module), function)


def aggregate_frame(spark: SparkSession, table: CustomTable, known: Iterable[str], ctx: Any) -> DataFrame:
    """The aggregate's DataFrame: rendered SQL, or the Python function called with `ctx`."""
    if table.sql is not None:
        return spark.sql(render_sql(table.sql, known))
    return python_function(str(table.python))(ctx)
