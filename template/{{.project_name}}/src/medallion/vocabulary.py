"""The names and vocabularies the spec, the pipeline and the tooling share, declared once.

A leaf module: it imports nothing, so the spec reader (which must not import pyspark) and the
pipeline modules both take their names from here instead of keeping copies in step.
"""

from __future__ import annotations

from typing import Literal, get_args

SourceType = Literal["files", "delta", "kafka"]
FileFormat = Literal["json", "csv", "parquet"]
SOURCE_TYPES: tuple[SourceType, ...] = get_args(SourceType)
FILE_FORMATS: tuple[FileFormat, ...] = get_args(FileFormat)

LAYERS = ("bronze", "silver_history", "quarantine", "silver", "gold", "quality")
"""A table's layer, as `naming.expected_tables` and the run report name it."""

# Bronze audit columns, with the types silver and the rules see them with.
RESCUED_DATA = "_rescued_data"
INGESTED_AT = "_ingested_at"
SOURCE_FILE = "_source_file"
UPDATE_ID = "_update_id"
AUDIT_TYPES = {RESCUED_DATA: "string", INGESTED_AT: "timestamp", SOURCE_FILE: "string", UPDATE_ID: "string"}
AUDIT_COLUMNS = tuple(AUDIT_TYPES)

ERRORS_COLUMN = "_errors"
"""The quarantine's list of the rules a row failed."""

# Silver: the raw values struct and the latest-version rank.
RAW = "_raw"
ROW_NUMBER = "_rn"

# The readers: the parsed record, its raw text, and the keys of `_rescued_data`.
RECORD = "_record"
RAW_TEXT = "_raw_text"
RAW_RECORD_KEY = "_raw_record"
RESCUE_MAP = "_rescue_map"
ENCODING_ERROR_KEY = "_encoding_error"

KAFKA_META = ("_kafka_key", "_kafka_topic", "_kafka_partition", "_kafka_offset", "_kafka_timestamp")
"""The Kafka record's metadata columns in bronze."""

PLATFORM_COLUMNS = ("_metadata",)
"""File metadata Databricks adds to a file source."""

RESERVED_PREFIXES = ("_medallion", "__", "_kafka_")
"""Prefixes of generated helper columns: records (_medallion_p0, _medallion_raw), gold (__fk_,
__rank), Kafka metadata."""

RESERVED_COLUMNS = frozenset(
    (
        *AUDIT_COLUMNS,
        ERRORS_COLUMN,
        RAW,
        ROW_NUMBER,
        RECORD,
        RAW_TEXT,
        RAW_RECORD_KEY,
        RESCUE_MAP,
        ENCODING_ERROR_KEY,
        *KAFKA_META,
        *PLATFORM_COLUMNS,
    )
)
"""Columns the pipeline adds itself, which a spec's columns may not take."""
