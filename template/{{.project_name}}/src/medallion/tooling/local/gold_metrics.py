"""Gold figures for the run report: per fact, rows, orphans per dimension role, measure totals."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from medallion import naming
from medallion.gold.columns import UNKNOWN_KEY, key_column
from medallion.spec.model import Spec


def gold_metrics(spark: Any, spec: Spec, read_table: Callable[[str], DataFrame]) -> dict[str, Any]:
    """{fact_<name>: {rows, orphans: {role: n}, orphan_fraction: {role: f|None}, measures: {m: "total"}}}.

    `spark` is unused (the tables come through `read_table`); kept for the runner's call.
    Orphans are fact rows pointing at the unknown member (-1): a foreign key with no match,
    or NULL. Totals are exact decimals rendered as text (JSON-safe, to the cent).
    """
    result: dict[str, Any] = {}
    for fact in spec.gold.facts:
        table = naming.fact_table(fact.name)
        figures = [F.count(F.lit(1)).alias("rows")]
        figures += [
            F.count(F.when(F.col(key_column(link.role)) == UNKNOWN_KEY, 1)).alias(f"orphans_{link.role}")
            for link in fact.links
        ]
        figures += [F.sum(F.col(m.name)).alias(f"total_{m.name}") for m in fact.measures]
        row = read_table(table).agg(*figures).collect()[0]
        rows = int(row["rows"])
        orphans = {link.role: int(row[f"orphans_{link.role}"]) for link in fact.links}
        result[table] = {
            "rows": rows,
            "orphans": orphans,
            "orphan_fraction": {d: (n / rows if rows else None) for d, n in orphans.items()},
            "measures": {m.name: _text(row[f"total_{m.name}"]) for m in fact.measures},
        }
    return result


def _text(value: Any) -> str | None:
    return None if value is None else str(value)
