"""define_gold: declare the star schema's datasets (dimensions, dim_date, facts, aggregates) and
quality_metrics with the pipeline's dp module."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from pyspark.sql import DataFrame
from pyspark.sql import functions as F

from medallion import auto_cdc, naming
from medallion.context import PipelineContext
from medallion.gold import ddl
from medallion.gold.aggregates import aggregate_frame
from medallion.gold.columns import (
    DATE_COLUMNS,
    DATE_KEY,
    GoldColumn,
    dimension_columns,
    fact_columns,
    key_column,
)
from medallion.gold.dates import date_dimension
from medallion.gold.dimensions import build_dimension
from medallion.gold.facts import build_fact
from medallion.gold.quality import define_quality_metrics
from medallion.spec.model import CustomTable, Dimension, Fact

GOLD_PROPERTIES = {"quality": "gold"}


def define_gold(ctx: PipelineContext) -> None:
    """Declare every gold dataset of the spec with ctx.dp."""
    gold = ctx.spec.gold
    for dimension in gold.dimensions:
        _define_dimension(ctx, dimension)
    if gold.date_dimension:
        _define_dates(ctx)
    for fact in gold.facts:
        _define_fact(ctx, fact)
    for aggregate in gold.aggregates:
        _define_aggregate(ctx, aggregate)
    # Here rather than in a transformation file of its own: `medallion upgrade` replaces the
    # helpers but not transformations/, and the monitor expects this table in every project.
    define_quality_metrics(ctx)


def _declare(
    ctx: PipelineContext,
    name: str,
    comment: str,
    query: Callable[[], DataFrame],
    columns: Sequence[GoldColumn] = (),
    constraints: Sequence[str] = (),
    cluster_by: Sequence[str] = (),
) -> None:
    options: dict[str, Any] = {"name": name, "comment": comment, "table_properties": GOLD_PROPERTIES}
    if columns:
        options["schema"] = ddl.schema_ddl(columns, constraints if ctx.is_databricks else ())
    if ctx.is_databricks and cluster_by:
        options["cluster_by"] = list(cluster_by)
    ctx.dp.materialized_view(**options)(query)


def _define_dimension(ctx: PipelineContext, dim: Dimension) -> None:
    """dim_<name>; on Databricks an SCD2 dimension reads the versions its AUTO CDC flow keeps."""
    table = naming.dimension_table(dim.name)
    source = ctx.spec.source(dim.source)
    from_versions = ctx.is_databricks and dim.scd == 2 and source.sequence_by is not None
    if from_versions:
        auto_cdc.define_versions(ctx, dim, source)

    def query() -> DataFrame:
        current = ctx.spark.read.table(naming.silver_table(dim.source))
        if from_versions:
            versions = auto_cdc.version_events(ctx, dim, str(source.sequence_by))
            return build_dimension(ctx.spec, dim, current, versions, auto_cdc.VERSION_START)
        history = ctx.spark.read.table(naming.history_table(dim.source))
        return build_dimension(ctx.spec, dim, current, history)

    kind = "SCD2: one row per version" if dim.scd == 2 else "SCD1: one row per key"
    comment = f"{dim.description or f'Dimension {dim.name}.'} ({kind}; key -1 is the unknown member.)"
    key = ddl.primary_key(table, key_column(dim.name))
    _declare(ctx, table, comment, query, dimension_columns(dim, ctx.spec.source(dim.source)), [key])


def _define_dates(ctx: PipelineContext) -> None:
    calendar = ctx.spec.gold.calendar

    def query() -> DataFrame:
        dates = [
            ctx.spark.read.table(naming.silver_table(f.source)).select(F.to_date(f.event_time).alias("date"))
            for f in ctx.spec.gold.facts
            if f.event_time
        ]
        if not dates:
            return date_dimension(ctx.spark.sql("SELECT CAST(NULL AS DATE) AS date"), calendar=calendar)
        union = dates[0]
        for more in dates[1:]:
            union = union.unionByName(more)
        return date_dimension(union, calendar=calendar)

    comment = "Calendar days over the facts' date range; date_key -1 is the unknown date."
    if calendar is not None:
        comment += f" Days outside {calendar.first} .. {calendar.last} map to -1."
    key = ddl.primary_key(naming.DATE_DIMENSION, DATE_KEY)
    _declare(ctx, naming.DATE_DIMENSION, comment, query, DATE_COLUMNS, [key])


def _define_fact(ctx: PipelineContext, fact: Fact) -> None:
    def query() -> DataFrame:
        current = ctx.spark.read.table(naming.silver_table(fact.source))
        dims = {d: ctx.spark.read.table(naming.dimension_table(d)) for d in fact.dimension_names}
        return build_fact(ctx.spec, fact, current, dims)

    grain = ", ".join(fact.grain)
    comment = (
        f"{fact.description or f'Fact {fact.name}.'} (Grain: {grain}; unknown dimension members are -1.)"
    )
    constraints = ddl.fact_constraints(fact, ctx.spec.gold.date_dimension)
    columns = fact_columns(fact, ctx.spec.source(fact.source))
    _declare(
        ctx, naming.fact_table(fact.name), comment, query, columns, constraints, ddl.fact_cluster_by(fact)
    )


def _define_aggregate(ctx: PipelineContext, table: CustomTable) -> None:
    name = naming.aggregate_table(table.name)
    known = [t for t in naming.expected_tables(ctx.spec) if t != name]

    def query() -> DataFrame:
        return aggregate_frame(ctx.spark, table, known, ctx)

    comment = table.description or f"Aggregate {table.name}."
    _declare(ctx, name, comment, query, cluster_by=table.cluster_by)
