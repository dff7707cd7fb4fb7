"""Raw streams of one source table, per engine and source type, with `_source_file` and rescue.

Databricks: Auto Loader (`cloudFiles`), streaming Delta reads, the Kafka connector. Locally:
plain file streams of the same data, shaped like their Databricks counterparts.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from medallion import kafka
from medallion.audit import FILE_PATH, NO_RESCUE, SOURCE_FILE
from medallion.context import PipelineContext
from medallion.records import RAW_TEXT, RECORD, columns_from_record, csv_record, csv_struct, json_record
from medallion.spec.model import SourceTable
from medallion.sql import quote_identifier

TEXT_FORMATS = ("json", "csv")
RESCUE_COLUMN_OPTION = "rescuedDataColumn"
CSV_WIDTH_MIN = 64


def location(ctx: PipelineContext, table: SourceTable, path: str | None = None) -> str:
    """A source folder: absolute paths as they are, others under medallion.source_root."""
    folder = path or table.source.path
    if folder.startswith("/") or "://" in folder:
        return folder
    return f"{ctx.settings.source_root}/{folder}" if ctx.settings.source_root else folder


def delta_table_name(ctx: PipelineContext, table: SourceTable) -> str:
    """The Delta table to stream from: source.table or <source_root>.<table>."""
    name = table.source.table or f"{ctx.settings.source_root}.{table.name}"
    return ".".join(quote_identifier(part) for part in name.split("."))


def schema_hints(table: SourceTable) -> str:
    """Auto Loader hints: text formats keep raw text (silver types it), Parquet keeps types."""
    as_text = table.source.format in TEXT_FORMATS
    return ", ".join(
        f"{quote_identifier(c.name)} {'STRING' if as_text else c.type.upper()}" for c in table.columns
    )


def autoloader_options(table: SourceTable) -> dict[str, str]:
    """Every option of the Databricks Auto Loader stream for one files source."""
    options = {
        "cloudFiles.format": str(table.source.format),
        "cloudFiles.schemaEvolutionMode": "addNewColumns",
        "cloudFiles.inferColumnTypes": "true",
        RESCUE_COLUMN_OPTION: "_rescued_data",
    }
    if table.columns:
        options["cloudFiles.schemaHints"] = schema_hints(table)
    if table.source.format == "csv":
        options["header"] = "true"
    return options | table.source.options


def stream_builder(ctx: PipelineContext, table: SourceTable) -> Callable[[], Any]:
    """Do definition-time work now (outside any query function, where analysis is not allowed)
    and return the function that builds the source's raw stream: the spec's columns,
    `_rescued_data` and `_source_file`."""
    source_type = table.source.type
    if ctx.is_databricks:
        reader = {"files": _autoloader, "delta": _delta, "kafka": _kafka}[source_type]
        return partial(reader, ctx, table)
    if source_type == "delta" or table.source.format == "parquet":
        path = location(ctx, table, table.name if source_type == "delta" else None)
        return partial(_parquet, ctx, table, path, _parquet_schema(ctx.spark, path))
    return partial({"files": _local_files, "kafka": _kafka_replay}[source_type], ctx, table)


def _autoloader(ctx: PipelineContext, table: SourceTable) -> Any:
    reader = ctx.spark.readStream.format("cloudFiles").options(**autoloader_options(table))
    return reader.load(location(ctx, table)).selectExpr("*", FILE_PATH)


def _delta(ctx: PipelineContext, table: SourceTable) -> Any:
    reader = ctx.spark.readStream.option("skipChangeCommits", str(table.source.skip_change_commits).lower())
    return (
        reader.options(**table.source.options)
        .table(delta_table_name(ctx, table))
        .selectExpr("*", FILE_PATH, NO_RESCUE)
    )


def _kafka(ctx: PipelineContext, table: SourceTable) -> Any:
    records = ctx.spark.readStream.format("kafka").options(**kafka.reader_options(table, ctx.settings)).load()
    return kafka.parse_records(records, table)


def _local_files(ctx: PipelineContext, table: SourceTable) -> Any:
    if table.source.format == "csv":
        return _local_csv(ctx, table)
    lines = ctx.spark.readStream.format("text").load(location(ctx, table))
    records = lines.where("trim(value) <> ''").selectExpr(
        f"{json_record('value')} AS {RECORD}", f"value AS {RAW_TEXT}", FILE_PATH
    )
    return records.selectExpr(*columns_from_record(table.column_names), SOURCE_FILE)


def _local_csv(ctx: PipelineContext, table: SourceTable) -> Any:
    width = max(CSV_WIDTH_MIN, 2 * len(table.columns))
    files = ctx.spark.readStream.format("text").option("wholetext", "true").load(location(ctx, table))
    lines = files.selectExpr(r"split(value, '[\\r\\n]+') AS _lines", FILE_PATH).selectExpr(
        "_lines[0] AS _header",
        f"explode(filter(slice(_lines, 2, size(_lines)), x -> trim(x) <> '')) AS {RAW_TEXT}",
        SOURCE_FILE,
    )
    parsed = lines.selectExpr(
        f"{csv_struct('_header', width)} AS _h", f"{csv_struct(RAW_TEXT, width)} AS _v", RAW_TEXT, SOURCE_FILE
    )
    records = parsed.selectExpr(f"{csv_record('_h', '_v', width)} AS {RECORD}", RAW_TEXT, SOURCE_FILE)
    return records.selectExpr(*columns_from_record(table.column_names), SOURCE_FILE)


def _parquet(ctx: PipelineContext, table: SourceTable, path: str, present: Any) -> Any:
    """Stream Parquet with the files' own (merged) schema; spec columns the files lack are NULL.

    Locally a Parquet folder also stands in for a Delta table (no Delta jar here).
    """
    names = set(present.fieldNames()) if present else set(table.column_names)
    missing = [
        f"CAST(NULL AS {c.type.upper()}) AS {quote_identifier(c.name)}"
        for c in table.columns
        if c.name not in names
    ]
    stream = ctx.spark.readStream.format("parquet").schema(present or _spec_ddl(table)).load(path)
    return stream.selectExpr("*", *missing, FILE_PATH, NO_RESCUE)


def _parquet_schema(spark: Any, path: str) -> Any:
    """The merged schema of the Parquet files already there (None when there are none)."""
    if not any(Path(path).rglob("*.parquet")):
        return None
    return spark.read.option("mergeSchema", "true").parquet(path).schema


def _spec_ddl(table: SourceTable) -> str:
    return ", ".join(f"{quote_identifier(c.name)} {c.type.upper()}" for c in table.columns)


def _kafka_replay(ctx: PipelineContext, table: SourceTable) -> Any:
    """Recorded Kafka records (JSON lines) replayed through the same parser as the connector."""
    folder = location(ctx, table, table.source.topic or table.name)
    records = ctx.spark.readStream.format("json").schema(kafka.RECORD_SCHEMA).load(folder)
    return kafka.parse_records(records, table)
