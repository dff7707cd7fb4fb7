"""Silver: typed view -> history of valid versions + quarantine -> latest version per key.

`typed_<t>` (temporary view) types bronze with ANSI-safe casts. `silver_<t>_history` keeps every
row that passes the drop rules; `quarantine_<t>` keeps every row that fails one, with `_errors`
and the raw values; `silver_<t>` holds the latest version per primary key: on Databricks a
streaming table kept by an AUTO CDC flow (medallion.auto_cdc), locally (and for a table without
a primary key) a materialized view ranking the history.
On Databricks the history table carries native expectations; locally the same compiled
predicates are DataFrame filters.
"""

from __future__ import annotations

from typing import Any

from medallion import auto_cdc, naming, rules
from medallion.casting import typed_columns
from medallion.context import PipelineContext
from medallion.spec.model import SourceTable
from medallion.sql import expand_safe_divide, quote_identifier
from medallion.vocabulary import (
    AUDIT_COLUMNS,
    ERRORS_COLUMN,
    INGESTED_AT,
    RAW,
    RESCUED_DATA,
    ROW_NUMBER,
    SOURCE_FILE,
)


def typed_select(table: SourceTable) -> list[str]:
    """Typed source columns, the raw values as a struct, and the audit columns."""
    raw = ", ".join(quote_identifier(c) for c in table.raw_column_names)
    return [
        *typed_columns(table.raw_columns, table.source.null_values),
        f"struct({raw}) AS {RAW}",
        *AUDIT_COLUMNS,
    ]


def derived_select(table: SourceTable) -> list[str]:
    """Every typed column, then each derived column from them (ANSI-safe: try_cast of the value)."""
    return [
        "*",
        *(
            f"try_cast(({expand_safe_divide(c.expr)}) AS {c.type.upper()}) AS {quote_identifier(c.name)}"
            for c in table.derived_columns
            if c.expr is not None
        ),
    ]


def history_columns(table: SourceTable) -> list[str]:
    """Columns of silver_<t>_history and silver_<t>: the spec's, then the audit columns."""
    return [*(quote_identifier(c) for c in table.column_names), *AUDIT_COLUMNS]


def quarantine_columns(table: SourceTable) -> list[str]:
    """History columns plus the raw values and the names of every failed rule."""
    return [*history_columns(table), RAW, f"{rules.errors_array(table.row_rules)} AS {ERRORS_COLUMN}"]


def row_hash(table: SourceTable) -> str:
    """SQL: a hash of a row's values, the last tie-breaker between versions."""
    return f"xxhash64({', '.join([*map(quote_identifier, table.raw_column_names), RESCUED_DATA])})"


def latest_order(table: SourceTable) -> str:
    """Newest first: sequence_by, then ingestion time, file, and a row hash to break ties."""
    order = [f"{INGESTED_AT} DESC", f"{SOURCE_FILE} DESC NULLS LAST", f"{row_hash(table)} DESC"]
    if table.sequence_by:
        order.insert(0, f"{quote_identifier(table.sequence_by)} DESC NULLS LAST")
    return ", ".join(order)


def latest_window(table: SourceTable) -> str:
    """row_number() over the primary key (every column when there is none), newest = 1."""
    keys = table.primary_key or table.column_names
    partition = ", ".join(quote_identifier(k) for k in keys)
    return f"row_number() OVER (PARTITION BY {partition} ORDER BY {latest_order(table)}) AS {ROW_NUMBER}"


def typed_query(bronze: Any, table: SourceTable) -> Any:
    """bronze_<t> rows -> typed rows (never fails on a bad value)."""
    typed = bronze.selectExpr(*typed_select(table))
    return typed.selectExpr(*derived_select(table)) if table.derived_columns else typed


def local_history_filter(table: SourceTable) -> str:
    """The local engine's stand-in for expect_all_or_fail + expect_all_or_drop."""
    guard = rules.fail_guard(table.rules_with_action("fail"), naming.history_table(table.name))
    return f"({guard}) AND ({rules.all_pass(table.rules_with_action('drop'))})"


def latest_query(history: Any, table: SourceTable) -> Any:
    """The latest version of each key from the history rows (rows with a NULL key part stay in
    the history only, as AUTO CDC leaves them on Databricks)."""
    keyed = history.where(auto_cdc.key_present(table.primary_key)) if table.primary_key else history
    ranked = keyed.selectExpr("*", latest_window(table)).where(f"{ROW_NUMBER} = 1")
    return ranked.selectExpr(*history_columns(table))


def define_silver_table(ctx: PipelineContext, table: SourceTable) -> None:
    """Register typed_<t>, silver_<t>_history, quarantine_<t> and silver_<t>."""
    spark, dp, name = ctx.spark, ctx.dp, table.name
    typed = naming.typed_view(name)

    def typed_rows() -> Any:
        return typed_query(spark.readStream.table(naming.bronze_table(name)), table)

    def history() -> Any:
        rows = spark.readStream.table(typed)
        if not ctx.is_databricks:
            rows = rows.where(local_history_filter(table))
        return rows.selectExpr(*history_columns(table))

    def quarantine() -> Any:
        rows = spark.readStream.table(typed).where(rules.any_fails(table.rules_with_action("drop")))
        return rows.selectExpr(*quarantine_columns(table))

    def latest() -> Any:
        return latest_query(spark.read.table(naming.history_table(name)), table)

    dp.temporary_view(name=typed, comment=f"{name} typed as the spec says; bad values are NULL.")(typed_rows)
    dp.table(
        name=naming.history_table(name),
        comment=f"Every valid version of {name}.",
        table_properties={"quality": "silver"},
    )(_with_expectations(ctx, table, history))
    dp.table(
        name=naming.quarantine_table(name),
        comment=f"{name} rows that failed a drop rule, with _errors and the raw values.",
        table_properties={"quality": "quarantine"},
    )(quarantine)
    comment = table.description or f"Latest version of each {name} row."
    if ctx.is_databricks and table.primary_key:
        auto_cdc.define_latest(ctx, table, row_hash(table), comment)
        return
    dp.materialized_view(
        name=naming.silver_table(name), comment=comment, table_properties={"quality": "silver"}
    )(latest)


def _with_expectations(ctx: PipelineContext, table: SourceTable, query: Any) -> Any:
    """On Databricks, wrap the history query in the native expect_all* decorators."""
    if not ctx.is_databricks:
        return query
    decorators = (
        ("warn", ctx.dp.expect_all),
        ("drop", ctx.dp.expect_all_or_drop),
        ("fail", ctx.dp.expect_all_or_fail),
    )
    for action, decorator in decorators:
        predicates = rules.compiled(table.rules_with_action(action))  # type: ignore[arg-type]
        if predicates:
            query = decorator(predicates)(query)
    return query


def define_silver(ctx: PipelineContext) -> None:
    """Register the silver datasets of every source in the spec."""
    for table in ctx.spec.sources:
        define_silver_table(ctx, table)
