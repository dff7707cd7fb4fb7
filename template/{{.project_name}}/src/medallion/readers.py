"""Raw streams of one source table, per engine and source type, with `_source_file` and rescue.

Databricks: Auto Loader (`cloudFiles`), streaming Delta reads, the Kafka connector. Locally:
plain file streams of the same data, shaped like their Databricks counterparts.
"""

from __future__ import annotations

import codecs
import csv
import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from medallion import kafka
from medallion.audit import FILE_PATH, NO_RESCUE, SOURCE_FILE
from medallion.context import PipelineContext
from medallion.monitor.redact import neutralize
from medallion.records import (
    CORRUPT,
    POSITION,
    RAW_TEXT,
    RECORD,
    CsvLayout,
    checked_columns,
    csv_columns,
    csv_not_kept_whole,
    header_group,
    json_columns,
    json_record,
)
from medallion.spec.model import SourceTable
from medallion.sql import literal, quote_identifier

TEXT_FORMATS = ("json", "csv")
RESCUE_COLUMN_OPTION = "rescuedDataColumn"
HIDDEN = ("_", ".")
# RFC 4180 quoting (a doubled quote inside quotes is one quote) and quoted newlines, on both engines
CSV_DEFAULTS = {"escape": '"', "multiLine": "true", "nullValue": "\u0000"}
"""RFC 4180 quoting; records may span lines; `nullValue` is a text no field holds, so that only an
empty unquoted field is NULL and a quoted empty one ("") stays the empty text it is (bronze keeps
what was received; silver reads empty text as NULL either way)."""
SEPARATOR_ESCAPES: dict[str, str] = {"\\t": "\t"}
"""Spark reads the option `sep: "\\t"` (two characters) as a tab; other texts are taken as they are."""
# Spark's CSV reader as a plain line reader with a charset: no quoting, a separator JSON never holds
LINE_OPTIONS = {"sep": "\u0001", "quote": "", "header": "false", "mode": "PERMISSIVE"}


def is_absolute(folder: str) -> bool:
    """A source path that names its own place (/Volumes/..., s3://...), not one under the source
    location."""
    return folder.startswith("/") or "://" in folder


def source_folder(table: SourceTable, source_location: str, local: bool) -> str:
    """The one answer to where a source's files are: its `path` (files), or locally the folder
    named after the table (delta sources as Parquet) or the topic (Kafka replays); absolute
    paths as they are, others under the source location (medallion.source_location)."""
    source = table.source
    if local and source.type == "delta":
        folder = table.name
    elif local and source.type == "kafka":
        folder = source.topic or table.name
    else:
        folder = source.path
    if is_absolute(folder) or not source_location:
        return folder
    return f"{source_location.rstrip('/')}/{folder}"


def location(ctx: PipelineContext, table: SourceTable) -> str:
    """The source's folder for this pipeline (see source_folder)."""
    return source_folder(table, ctx.settings.source_location, local=not ctx.is_databricks)


def delta_table_name(ctx: PipelineContext, table: SourceTable) -> str:
    """The Delta table to stream from: source.table or <source_location>.<table>."""
    name = table.source.table or f"{ctx.settings.source_location}.{table.name}"
    return ".".join(quote_identifier(part) for part in name.split("."))


def autoloader_schema(table: SourceTable) -> str:
    """The schema Auto Loader is given: text formats keep raw text (silver types it), Parquet
    keeps the spec's types. With a schema, Auto Loader infers nothing, so a stream on an empty
    landing folder starts (and finds no rows) instead of failing with
    CF_EMPTY_DIR_FOR_SCHEMA_INFERENCE."""
    as_text = table.source.format in TEXT_FORMATS
    return ", ".join(
        f"{quote_identifier(c.read_as)} {'STRING' if as_text else c.type.upper()}" for c in table.raw_columns
    )


def autoloader_options(table: SourceTable) -> dict[str, str]:
    """Every option of the Databricks Auto Loader stream for one files source.

    Schema evolution with a given schema: `rescue` mode, "the schema is never evolved and the
    stream does not fail due to schema changes; all new columns are recorded in the rescued data
    column" (docs.databricks.com/aws/en/ingestion/cloud-object-storage/auto-loader/schema,
    "How does Auto Loader schema evolution work?"; `addNewColumns` is not allowed with a given
    schema). A column that appears later is therefore kept, as JSON in bronze's `_rescued_data`;
    add it to the spec's columns to type it in silver. A source that declares no columns yet
    (an undescribed custom table) falls back to inference with `addNewColumns`, which cannot
    start on an empty folder: `medallion infer` drafts the columns.
    """
    options = {
        "cloudFiles.format": str(table.source.format),
        "cloudFiles.schemaEvolutionMode": "rescue",
        RESCUE_COLUMN_OPTION: "_rescued_data",
    }
    if not table.raw_columns:  # no schema to give: inference, which needs files to start
        options |= {"cloudFiles.schemaEvolutionMode": "addNewColumns", "cloudFiles.inferColumnTypes": "true"}
    if table.source.format == "csv":
        options |= {"header": "true"} | CSV_DEFAULTS
    return options | table.source.options


def renaming(table: SourceTable) -> list[str]:
    """Every column of a read, those the spec renames (source_name) under the spec's name."""
    renamed = table.renamed
    if not renamed:
        return ["*"]
    sources = ", ".join(quote_identifier(s) for s in renamed)
    return [
        *(f"{quote_identifier(s)} AS {quote_identifier(n)}" for s, n in renamed.items()),
        f"* EXCEPT ({sources})",
    ]


def stream_builder(ctx: PipelineContext, table: SourceTable) -> Callable[[], Any]:
    """Do definition-time work now (outside any query function, where analysis is not allowed)
    and return the function that builds the source's raw stream: the spec's columns,
    `_rescued_data` and `_source_file`."""
    source_type = table.source.type
    if ctx.is_databricks:
        reader = {"files": _autoloader, "delta": _delta, "kafka": _kafka}[source_type]
        return partial(reader, ctx, table)
    if source_type == "delta" or table.source.format == "parquet":
        path = location(ctx, table)
        return partial(_parquet, ctx, table, path, _parquet_schema(ctx.spark, path, table))
    if source_type == "kafka":
        return partial(_kafka_replay, ctx, table)
    layout = csv_layout(location(ctx, table), table) if table.source.format == "csv" else None
    _warn_utf16(table, location(ctx, table))
    return partial(_local_files, ctx, table, layout)


UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")


def _warn_utf16(table: SourceTable, folder: str) -> None:
    """Files that start with a UTF-16 byte-order mark while the source declares no encoding:
    their rows would reach quarantine as undecodable; say which files and what to declare."""
    if declared_encoding(table) is not None:
        return
    marked = []
    for path in data_files(folder):
        with path.open("rb") as handle:
            if handle.read(2) in UTF16_MARKS:
                marked.append(path.name)
    if marked:
        shown = ", ".join(marked[:3]) + (f" and {len(marked) - 3} more" if len(marked) > 3 else "")
        print(
            neutralize(
                f"source {table.name}: {shown} start with a UTF-16 byte-order mark; declare "
                "source: {options: {encoding: UTF-16}} (read as UTF-8, their rows reach quarantine)"
            ),
            file=sys.stderr,
        )


def _autoloader(ctx: PipelineContext, table: SourceTable) -> Any:
    reader = ctx.spark.readStream.format("cloudFiles")
    if table.raw_columns:
        reader = reader.schema(autoloader_schema(table))
    reader = reader.options(**autoloader_options(table))
    return reader.load(location(ctx, table)).selectExpr(*renaming(table), FILE_PATH)


def _delta(ctx: PipelineContext, table: SourceTable) -> Any:
    reader = ctx.spark.readStream.option("skipChangeCommits", str(table.source.skip_change_commits).lower())
    return (
        reader.options(**table.source.options)
        .table(delta_table_name(ctx, table))
        .selectExpr(*renaming(table), FILE_PATH, NO_RESCUE)
    )


def _kafka(ctx: PipelineContext, table: SourceTable) -> Any:
    records = ctx.spark.readStream.format("kafka").options(**kafka.reader_options(table, ctx.settings)).load()
    return kafka.parse_records(records, table)


def _local_files(ctx: PipelineContext, table: SourceTable, layout: CsvLayout | None = None) -> Any:
    if table.source.format == "csv":
        return _local_csv(ctx, table, layout or csv_layout(location(ctx, table), table))
    return _local_json(ctx, table)


def _local_json(ctx: PipelineContext, table: SourceTable) -> Any:
    """JSON lines, one record at a time, parsed by Spark's JSON parser into the spec's columns."""
    folder = location(ctx, table)
    encoding = declared_encoding(table)
    if _multiline(table):
        return _local_json_documents(ctx, table, folder)
    if encoding is None:
        lines = ctx.spark.readStream.format("text").load(folder)
    else:  # the text source reads UTF-8 only; Spark's CSV line reader decodes any charset
        lines = (
            ctx.spark.readStream.format("csv")
            .schema("value STRING")
            .options(**LINE_OPTIONS)
            .option("encoding", encoding)
            .load(folder)
        )
    return _parsed_json(table, lines, FILE_PATH)


def _parsed_json(table: SourceTable, texts: Any, path: str) -> Any:
    """One JSON text per row (`value`; `path` selects its file) -> the spec's columns,
    `_rescued_data` and `_source_file`; blank texts are no records."""
    records = texts.where("trim(value) <> ''").selectExpr(
        f"{json_record('value')} AS {RECORD}", f"value AS {RAW_TEXT}", path
    )
    names = table.raw_column_names
    named = records.selectExpr(*json_columns(names, sources=table.source_names), SOURCE_FILE)
    return named.selectExpr(*checked_columns(names), SOURCE_FILE)


def _multiline(table: SourceTable) -> bool:
    options = {k.lower(): str(v).strip().lower() for k, v in table.source.options.items()}
    return options.get("multiline") == "true"


def _local_json_documents(ctx: PipelineContext, table: SourceTable, folder: str) -> Any:
    """`multiLine: true`: each file is one JSON document, an array of records or one record
    (pretty-printed), as Auto Loader reads it. Each element of an array is a record; a file that
    does not parse as an array is kept whole as one record, which then goes to `_rescued_data`."""
    files = ctx.spark.readStream.format("text").option("wholetext", "true").load(folder)
    elements = f"from_json(value, {literal('ARRAY<STRING>')})"
    split = (
        f"explode(CASE WHEN ltrim(value) LIKE '[%' THEN coalesce({elements}, array(value)) "
        "ELSE array(value) END) AS value"
    )
    return _parsed_json(table, files.selectExpr(split, FILE_PATH), SOURCE_FILE)


def _local_csv(ctx: PipelineContext, table: SourceTable, layout: CsvLayout) -> Any:
    """CSV record by record with Spark's parser (quoted newlines, escapes, any line ending and
    encoding): every field by position, then named with its own file's header."""
    reader = ctx.spark.readStream.format("csv").options(**local_csv_options(table)).schema(layout.schema())
    positions = [*(POSITION.format(i) for i in range(layout.width)), CORRUPT]
    rows = reader.load(location(ctx, table)).selectExpr(*positions, FILE_PATH)
    grouped = rows.selectExpr(*positions, header_group(layout), SOURCE_FILE)
    names = table.raw_column_names
    whole = _whole_record_check(table, layout)
    named = grouped.selectExpr(*csv_columns(names, layout, table.source_names, whole), SOURCE_FILE)
    return named.selectExpr(*checked_columns(names), SOURCE_FILE)


def _whole_record_check(table: SourceTable, layout: CsvLayout) -> str | None:
    """`csv_not_kept_whole` for RFC 4180 files (the defaults); None when the spec's options set
    another escape, quote handling or trimming, whose records this shape does not describe."""
    options = lowered_options(table, CSV_DEFAULTS)
    sep = csv_separator(options)
    quote = options.get("quote", '"')
    own_rules = {"unescapedquotehandling", "ignoreleadingwhitespace", "ignoretrailingwhitespace"}
    if sep.startswith("\\") or len(quote) != 1 or options.get("escape") != quote:
        return None
    return None if own_rules & options.keys() else csv_not_kept_whole(layout.width, sep, quote)


def lowered_options(table: SourceTable, defaults: dict[str, str] | None = None) -> dict[str, str]:
    """The source's options over `defaults`, keys lower-cased (Spark's options ignore case)."""
    return {k.lower(): v for k, v in ((defaults or {}) | table.source.options).items()}


def declared_encoding(table: SourceTable) -> str | None:
    """The source's `encoding` (or `charset`) option, if any."""
    options = lowered_options(table)
    return options.get("encoding") or options.get("charset") or None


def local_csv_options(table: SourceTable) -> dict[str, str]:
    """Spark CSV options: the spec's, over RFC 4180 defaults; always permissive with a corrupt column
    (the positional schema is wider than any record, so other modes would drop or fail every row)."""
    return (
        CSV_DEFAULTS
        | table.source.options
        | {
            "header": str(_has_header(table)).lower(),
            "mode": "PERMISSIVE",
            "columnNameOfCorruptRecord": CORRUPT,
        }
    )


def _has_header(table: SourceTable) -> bool:
    options = lowered_options(table)
    return str(options.get("header", "true")).strip().lower() != "false"


def csv_layout(folder: str, table: SourceTable) -> CsvLayout:
    """Read the header line of every CSV file in `folder` (cheap: one record per file)."""
    if not _has_header(table):
        return CsvLayout((tuple(table.source_names.values()),), {_file_key(p): 0 for p in data_files(folder)})
    options = lowered_options(table, CSV_DEFAULTS)
    headers: dict[tuple[str, ...], int] = {}
    files: dict[str, int] = {}
    for path in data_files(folder):
        header = read_header(path, options)
        if header is not None:
            files[_file_key(path)] = headers.setdefault(header, len(headers))
    return CsvLayout(tuple(headers), files)


def data_files(folder: str) -> list[Path]:
    """The files Spark's file source reads under `folder` (names starting with _ or . are hidden)."""
    if "://" in folder or not Path(folder).is_dir():
        return []
    found = []
    for directory, subfolders, names in os.walk(folder):
        subfolders[:] = sorted(d for d in subfolders if not d.startswith(HIDDEN))
        found += [Path(directory) / n for n in sorted(names) if not n.startswith(HIDDEN)]
    return found


def csv_separator(options: dict[str, str]) -> str:
    """The field separator Spark reads from lower-cased CSV options."""
    written = options.get("sep") or options.get("delimiter") or ","
    return SEPARATOR_ESCAPES.get(written, written)


def read_header(path: Path, options: dict[str, str]) -> tuple[str, ...] | None:
    """The first record of a CSV file, parsed like Spark does (None for an empty file)."""
    sep = csv_separator(options)
    quote = options.get("quote", '"')
    escape = options.get("escape", "\\")
    encoding = options.get("encoding") or options.get("charset") or "utf-8"
    try:
        codec = codecs.lookup(encoding).name
    except LookupError:
        codec = "latin-1"
    with path.open(
        "r", encoding="utf-8-sig" if codec == "utf-8" else codec, errors="replace", newline=""
    ) as handle:
        if len(sep) != 1:
            first = handle.readline().rstrip("\r\n")
            return tuple(first.split(sep)) if first else None
        dialect: dict[str, Any] = {
            "delimiter": sep,
            "quoting": csv.QUOTE_MINIMAL if quote else csv.QUOTE_NONE,
        }
        if quote:
            dialect |= {"quotechar": quote, "doublequote": escape == quote}
            dialect |= {} if escape == quote else {"escapechar": escape or None}
        try:
            row = next(csv.reader(handle, **dialect))
        except (StopIteration, csv.Error):
            return None
    return tuple(row) if row else None


def _file_key(path: Path) -> str:
    """How a file is known in the layout: `file:` and its absolute path (see records.header_group)."""
    return f"file:{os.path.abspath(path)}"


def _parquet(ctx: PipelineContext, table: SourceTable, path: str, present: Any) -> Any:
    """Stream Parquet with the files' own (merged) schema; spec columns the files lack are NULL.

    Locally a Parquet folder also stands in for a Delta table (no Delta jar here).
    """
    names = set(present.fieldNames()) if present else {c.read_as for c in table.raw_columns}
    missing = [
        f"CAST(NULL AS {c.type.upper()}) AS {quote_identifier(c.name)}"
        for c in table.raw_columns
        if c.read_as not in names
    ]
    stream = ctx.spark.readStream.format("parquet").schema(present or _spec_ddl(table)).load(path)
    return stream.selectExpr(*renaming(table), *missing, FILE_PATH, NO_RESCUE)


def _parquet_schema(spark: Any, path: str, table: SourceTable) -> Any:
    """The merged schema of the Parquet files already there (None when there are none, or when
    the files disagree on a column's type: then the spec's types are read, and a file that does
    not convert fails this source's flow naming the file, while the other sources run)."""
    if not any(Path(path).rglob("*.parquet")):
        return None
    try:
        return spark.read.option("mergeSchema", "true").parquet(path).schema
    except Exception as error:  # Spark raises its own classes (classic or Connect) for a failed merge
        first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
        print(
            neutralize(
                f"source {table.name}: the Parquet files under {path} disagree on a column's type "
                f"({first[:300]}); reading them with the spec's types instead: a file that does not "
                "convert fails this source's flow and the error names it"
            ),
            file=sys.stderr,
        )
        return None


def _spec_ddl(table: SourceTable) -> str:
    return ", ".join(f"{quote_identifier(c.read_as)} {c.type.upper()}" for c in table.raw_columns)


def _kafka_replay(ctx: PipelineContext, table: SourceTable) -> Any:
    """Recorded Kafka records (JSON lines) replayed through the same parser as the connector."""
    folder = location(ctx, table)
    records = ctx.spark.readStream.format("json").schema(kafka.RECORD_SCHEMA).load(folder)
    return kafka.parse_records(records, table)
