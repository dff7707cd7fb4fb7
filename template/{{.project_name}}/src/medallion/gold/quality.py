"""quality_metrics: the pipeline's own data-quality figures, recomputed by every update and
declared with gold (it reads the facts).

One row per (metric, table_name, item); the dashboard and the SQL alerts read this table, so
they follow medallion.yml without being edited. Metrics:

- `quarantine_share` (quarantine_<t>): rows = quarantined, total = quarantined + kept in history;
- `quarantine_reason` (quarantine_<t>, item = drop/fail rule): rows = quarantined rows failing it;
- `orphan_share` (fact_<f>, item = dimension role): rows on the unknown member (-1) of all rows;
- `freshness` (bronze_<t>): newest_at = the newest `_ingested_at`, rows = bronze rows;
  threshold = hours the source may go without new rows;
- `gold_total` (fact_<f>, item = measure): value = the measure's sum, rows = fact rows.

`value` is rows / total for the shares; `threshold` is the spec's limit (NULL: none).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from pyspark.sql import Column, DataFrame
from pyspark.sql import functions as F

from medallion import naming
from medallion.audit import INGESTED_AT
from medallion.gold.columns import UNKNOWN_KEY, key_column
from medallion.spec.model import SourceTable, Spec
from medallion.vocabulary import ERRORS_COLUMN

DEFAULT_HOURS_WITHOUT_NEW_ROWS = 36.0
"""A daily load and half a day's slack (the job runs once a day)."""

SCHEMA = (
    "metric STRING NOT NULL, table_name STRING NOT NULL, item STRING, rows BIGINT NOT NULL, total BIGINT, "
    "value DOUBLE, threshold DOUBLE, newest_at TIMESTAMP, measured_at TIMESTAMP NOT NULL"
)
COLUMN_TYPES = {name: kind for name, kind, *_ in (column.split(" ") for column in SCHEMA.split(", "))}
"""Each column's SQL type (SCHEMA without its NOT NULL constraints)."""
COLUMNS = ("metric", "table_name", "item", "rows", "total", "value", "threshold", "newest_at")

ReadTable = Callable[[str], DataFrame]


def hours_without_new_rows(spec: Spec, source: SourceTable) -> float:
    """The freshness limit of a source: its own, the spec's default, else 36 hours."""
    return (
        source.thresholds.max_hours_without_new_rows
        or spec.thresholds.max_hours_without_new_rows
        or DEFAULT_HOURS_WITHOUT_NEW_ROWS
    )


def _row(
    metric: str,
    table: str,
    item: Column | None = None,
    rows: Column | None = None,
    total: Column | None = None,
    value: Column | None = None,
    threshold: float | None = None,
    newest_at: Column | None = None,
) -> list[Column]:
    """The select list of one metric row, in COLUMNS order with their types."""
    share = value
    if value is None and rows is not None and total is not None:
        share = rows.cast("double") / F.nullif(total, F.lit(0))
    parts = {
        "metric": F.lit(metric),
        "table_name": F.lit(table),
        "item": item if item is not None else F.lit(None),
        "rows": rows if rows is not None else F.lit(None),
        "total": total if total is not None else F.lit(None),
        "value": share if share is not None else F.lit(None),
        "threshold": F.lit(threshold),
        "newest_at": newest_at if newest_at is not None else F.lit(None),
    }
    return [parts[name].cast(COLUMN_TYPES[name]).alias(name) for name in COLUMNS]


def _quarantine(read: ReadTable, source: SourceTable) -> list[DataFrame]:
    quarantine = read(naming.quarantine_table(source.name))
    kept = read(naming.history_table(source.name)).agg(F.count(F.lit(1)).alias("kept"))
    counts = quarantine.agg(F.count(F.lit(1)).alias("quarantined")).crossJoin(kept)
    table = naming.quarantine_table(source.name)
    total = F.col("quarantined") + F.col("kept")
    limit = source.thresholds.max_quarantine_fraction
    share = counts.select(
        *_row("quarantine_share", table, rows=F.col("quarantined"), total=total, threshold=limit)
    )
    # `_errors` also names the warn rules a quarantined row failed: those did not send it there.
    warn_only = [e.name for e in source.rules_with_action("warn")]
    reasons = (
        quarantine.select(F.explode(F.col(ERRORS_COLUMN)).alias("rule"))
        .where(~F.col("rule").isin(warn_only))
        .groupBy("rule")
        .agg(F.count(F.lit(1)).alias("failed"))
        .crossJoin(counts.select(F.col("quarantined")))
        .select(*_row("quarantine_reason", table, F.col("rule"), F.col("failed"), F.col("quarantined")))
    )
    return [share, reasons]


def _freshness(spec: Spec, read: ReadTable, source: SourceTable) -> DataFrame:
    table = naming.bronze_table(source.name)
    figures = read(table).agg(F.count(F.lit(1)).alias("n"), F.max(INGESTED_AT).alias("newest"))
    limit = hours_without_new_rows(spec, source)
    return figures.select(
        *_row("freshness", table, rows=F.col("n"), threshold=limit, newest_at=F.col("newest"))
    )


def _gold(spec: Spec, read: ReadTable) -> list[DataFrame]:
    frames = []
    for fact in spec.gold.facts:
        table = naming.fact_table(fact.name)
        figures = [F.count(F.lit(1)).alias("n")]
        figures += [
            F.count(F.when(F.col(key_column(link.role)) == UNKNOWN_KEY, 1)).alias(f"o{i}")
            for i, link in enumerate(fact.links)
        ]
        figures += [F.sum(F.col(m.name)).alias(f"m{i}") for i, m in enumerate(fact.measures)]
        totals = read(table).agg(*figures)
        limit = spec.source(fact.source).thresholds.max_orphan_fraction
        rows: list[list[Column]] = [
            _row("orphan_share", table, F.lit(link.role), F.col(f"o{i}"), F.col("n"), threshold=limit)
            for i, link in enumerate(fact.links)
        ]
        rows += [
            _row("gold_total", table, F.lit(m.name), F.col("n"), value=F.col(f"m{i}"))
            for i, m in enumerate(fact.measures)
        ]
        frames += [totals.select(*row) for row in rows]
    return frames


def metrics_frame(spec: Spec, read: ReadTable) -> DataFrame:
    """Every metric row of the spec's tables, read through `read(table)`, stamped with now."""
    frames: list[DataFrame] = []
    for source in spec.sources:
        frames += _quarantine(read, source)
        frames.append(_freshness(spec, read, source))
    frames += _gold(spec, read)
    return balanced_union(frames).select(*COLUMNS, F.current_timestamp().alias("measured_at"))


def balanced_union(frames: list[DataFrame]) -> DataFrame:
    """UNION ALL of the frames as a balanced tree: a chain of one union per frame nests as deep
    as there are frames, and Spark Connect refuses a plan nested deeper than its protobuf limit
    (`Exceeded upb_DecodeOptions_MaxDepth` with nine tables)."""
    while len(frames) > 1:
        pairs = [frames[i].unionByName(frames[i + 1]) for i in range(0, len(frames) - 1, 2)]
        frames = pairs + ([frames[-1]] if len(frames) % 2 else [])
    return frames[0]


def define_quality_metrics(ctx: Any) -> None:
    """Declare quality_metrics with ctx.dp (both engines; called by medallion.gold.define_gold)."""

    def query() -> DataFrame:
        return metrics_frame(ctx.spec, ctx.spark.read.table)

    ctx.dp.materialized_view(
        name=naming.QUALITY_METRICS,
        comment="Data-quality figures of the latest update: quarantine shares and reasons, orphans, "
        "freshness, gold totals (one row per metric, table and item).",
        schema=SCHEMA,
    )(query)
