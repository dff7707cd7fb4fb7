"""Small DataFrame helpers shared by the gold builders.

Pipeline query functions may not analyse a DataFrame (no `.columns`, `.schema`), and reads
of pipeline datasets must not use withColumn/drop (DESIGN §6): column lists come from the
spec and every step is a select, filter, join or window.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from pyspark.sql import Column, DataFrame, SparkSession, Window
from pyspark.sql import functions as F

from medallion import sql
from medallion.gold.columns import GoldColumn

UNKNOWN_TEXT = "unknown"
AUDIT_ORDER = ("_ingested_at", "_source_file")


def typed(frame: DataFrame, columns: Sequence[GoldColumn]) -> DataFrame:
    """Exactly `columns`, in order, cast to their types, with exactly the declared nullability."""

    def column(c: GoldColumn) -> Column:
        value = F.col(c.name).cast(c.type)
        if c.nullable:
            return F.when(value.isNotNull(), value)  # declared nullable: the inferred schema agrees
        return F.coalesce(value, typed_literal(c.default, c.type))

    return frame.select(*(column(c).alias(c.name) for c in columns))


def unknown_member(
    spark: SparkSession, columns: Sequence[GoldColumn], values: Mapping[str, object]
) -> DataFrame:
    """One placeholder row: `values` where given, 'unknown' for other strings, else NULL."""

    def value(column: GoldColumn) -> Column:
        if column.name in values:
            return typed_literal(values[column.name], column.type)
        return typed_literal(UNKNOWN_TEXT if column.type == "string" else None, column.type)

    return spark.range(1).select(*(value(c).alias(c.name) for c in columns))


def typed_literal(value: object, spark_type: str) -> Column:
    """A literal of `spark_type`; non-NULL values stay non-nullable (DATE/TIMESTAMP as typed SQL literals)."""
    if value is not None and spark_type in ("date", "timestamp"):
        return F.expr(f"{spark_type.upper()} {sql.literal(value)}")
    return F.lit(value).cast(spark_type)


def latest_first(sequence_by: str | None, tie_breakers: Sequence[str]) -> list[Column]:
    """A deterministic newest-first ordering: sequence, silver's audit columns, then the values,
    each descending with NULLs last: the order in which AUTO CDC's `sequence_by` struct ranks the
    same fields on Databricks (the greatest is the newest)."""
    names = [*([sequence_by] if sequence_by else []), *AUDIT_ORDER, *tie_breakers]
    return [F.col(n).desc_nulls_last() for n in names]


def one_per(
    frame: DataFrame, partition: Sequence[str], order: Sequence[Column], keep: Sequence[str]
) -> DataFrame:
    """Columns `keep` of the first row of each `partition` group by `order`."""
    rank = F.row_number().over(Window.partitionBy(*partition).orderBy(*order))
    ranked = frame.select("*", rank.alias("__rank"))
    return ranked.where(F.col("__rank") == 1).select(*keep)
