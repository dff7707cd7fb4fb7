"""AUTO CDC on Databricks: `silver_<t>` as SCD type 1, SCD2 dimension versions as SCD type 2.

Databricks keeps the latest row per key and the history of versions with AUTO CDC flows
(`create_auto_cdc_flow`, https://docs.databricks.com/aws/en/ldp/developer/ldp-python-ref-apply-changes):
each update merges only the new change rows, where a window over the whole history would be
recomputed. The flows read the valid rows of `silver_<t>_history` through a temporary view that
adds the ordering as one struct column (`sequence_by` may be a struct; its fields order in turn),
so ties break as the local plan breaks them: the spec's `sequence_by` (NULL oldest), then
`_ingested_at`, `_source_file`, then a row hash (silver) or the values (versions). Rows with a
NULL key part have no place in a keyed table and stay in the history only (AUTO CDC refuses
NULL keys).

The open-source engine has the same API, but its SCD processors MERGE into the target and local
tables are Parquet files (scripts/auto_cdc_local.py shows AUTOCDC_TARGET_DOES_NOT_SUPPORT_MERGE):
locally `silver.latest_query` and `gold.scd2` compute the same tables with windows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from medallion import naming
from medallion.audit import INGESTED_AT, SOURCE_FILE
from medallion.context import PipelineContext
from medallion.spec.model import Dimension, SourceTable
from medallion.sql import quote_identifier

SEQUENCE = "_sequence"
"""The struct column the flows order change rows by (not written to their targets)."""
VERSION_START = "_version_start"
"""The start of a version, ordering the version rows the gold SCD2 builder reads on Databricks."""
START_AT, END_AT = "__START_AT", "__END_AT"
"""Where an SCD type 2 target keeps each version's sequence range (end NULL: current)."""


def key_present(keys: Sequence[str]) -> str:
    """SQL: every key part is set."""
    return " AND ".join(f"{quote_identifier(k)} IS NOT NULL" for k in keys)


def sequence_struct(fields: Sequence[str]) -> str:
    """SQL: the ordering struct of `fields`, oldest first."""
    return f"struct({', '.join(fields)}) AS {SEQUENCE}"


def latest_sequence(table: SourceTable, row_hash: str) -> str:
    """SQL: the SCD type 1 ordering struct, as silver.latest_order ranks rows (newest greatest)."""
    sequence = [quote_identifier(table.sequence_by)] if table.sequence_by else []
    return sequence_struct([*sequence, INGESTED_AT, SOURCE_FILE, row_hash])


def define_latest(ctx: PipelineContext, table: SourceTable, row_hash: str, comment: str) -> None:
    """`silver_<t>`: a streaming table an SCD type 1 flow keeps at the latest row per key."""
    target = naming.silver_table(table.name)
    view, keys = naming.changes_view(target), list(table.primary_key)

    def changes() -> Any:
        rows = ctx.spark.readStream.table(naming.history_table(table.name)).where(key_present(keys))
        return rows.selectExpr("*", latest_sequence(table, row_hash))

    ctx.dp.temporary_view(name=view, comment=f"Valid {table.name} rows in order, for AUTO CDC.")(changes)
    ctx.dp.create_streaming_table(
        name=target, comment=comment, table_properties={"quality": "silver"}, cluster_by=keys
    )
    ctx.dp.create_auto_cdc_flow(
        target=target,
        source=view,
        keys=keys,
        sequence_by=SEQUENCE,
        except_column_list=[SEQUENCE],
        stored_as_scd_type=1,
    )


def version_changes(history: Any, dim: Dimension, source: SourceTable) -> Any:
    """The history rows an SCD2 dimension's flow reads: placed in time (key and sequence set),
    its columns, and the ordering struct (sequence, `_ingested_at`, `_source_file`, the values)."""
    if source.sequence_by is None:
        raise ValueError(f"dim_{dim.name} is SCD2 but {source.name} has no sequence_by")
    seq = quote_identifier(source.sequence_by)
    values = [quote_identifier(a) for a in tracked_columns(dim)]
    columns = [quote_identifier(c) for c in _version_columns(dim, source.sequence_by)]
    placed = history.where(f"{key_present(dim.key)} AND {seq} IS NOT NULL")
    return placed.selectExpr(*columns, sequence_struct([seq, INGESTED_AT, SOURCE_FILE, *values]))


def define_versions(ctx: PipelineContext, dim: Dimension, source: SourceTable) -> None:
    """`dim_<name>_versions`: an SCD type 2 flow opens a version when an attribute changes."""
    target = naming.versions_table(dim.name)
    view = naming.changes_view(target)

    def changes() -> Any:
        return version_changes(ctx.spark.readStream.table(naming.history_table(source.name)), dim, source)

    ctx.dp.temporary_view(name=view, comment=f"{source.name} changes for dim_{dim.name}'s versions.")(changes)
    ctx.dp.create_streaming_table(
        name=target,
        comment=f"Versions of dim_{dim.name} kept by AUTO CDC (SCD type 2); dim_{dim.name} reads them.",
        table_properties={"quality": "gold"},
        cluster_by=list(dim.key),
    )
    ctx.dp.create_auto_cdc_flow(
        target=target,
        source=view,
        keys=list(dim.key),
        sequence_by=SEQUENCE,
        except_column_list=[SEQUENCE],
        stored_as_scd_type=2,
        track_history_column_list=tracked_columns(dim),
    )


def tracked_columns(dim: Dimension) -> list[str]:
    """Every attribute opens a version in the flow, not only the dimension's `track`: a row that
    a later row at the same instant replaces must leave no value behind in the version before
    it, which an in-place update would. The gold builder then merges versions whose tracked
    columns agree, taking the other columns from the last one (the local plan's rules)."""
    return [a for a in dim.attributes if a not in dim.key]


def version_events(ctx: PipelineContext, dim: Dimension, sequence_by: str) -> Any:
    """The versions `dim_<name>`'s AUTO CDC flow keeps, as `version_rows`."""
    return version_rows(ctx.spark.read.table(naming.versions_table(dim.name)), dim, sequence_by)


def version_rows(versions: Any, dim: Dimension, sequence_by: str) -> Any:
    """Each lasting version as one row at its start (`VERSION_START`), the shape of the history
    rows `gold.scd2` reads. A version that ends where it starts (a later row at the same instant
    replaced it) is left out, as the local plan keeps only the newest row of an instant."""
    seq = quote_identifier(sequence_by)
    lasting = f"{END_AT} IS NULL OR {START_AT}.{seq} < {END_AT}.{seq}"
    columns = [quote_identifier(c) for c in _version_columns(dim, sequence_by)]
    return versions.where(lasting).selectExpr(*columns, f"{START_AT}.{seq} AS {VERSION_START}")


def _version_columns(dim: Dimension, sequence_by: str) -> list[str]:
    keep = [*dim.key, *(a for a in dim.attributes if a not in dim.key)]
    return [*keep, *([sequence_by] if sequence_by not in keep else []), INGESTED_AT, SOURCE_FILE]
