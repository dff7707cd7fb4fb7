"""Kafka sources: the Databricks reader options and the ONE value parser both engines use."""

from __future__ import annotations

from typing import Any

from medallion.audit import SOURCE_FILE
from medallion.context import KAFKA_PASSWORD, KAFKA_USERNAME, SOURCE_LOCATION, Settings, SettingsError
from medallion.records import RAW_TEXT, RECORD, columns_from_record, json_record
from medallion.spec.model import SourceTable
from medallion.vocabulary import KAFKA_META

# The shape of a Kafka record, also the schema of the local replay files (JSON lines).
RECORD_SCHEMA = "key STRING, value STRING, topic STRING, partition INT, offset BIGINT, timestamp TIMESTAMP"
METADATA_COLUMNS = (
    "CAST(key AS STRING) AS _kafka_key",
    "topic AS _kafka_topic",
    "partition AS _kafka_partition",
    "offset AS _kafka_offset",
    "timestamp AS _kafka_timestamp",
)
META_NAMES = KAFKA_META
LOGIN_MODULE = "kafkashaded.org.apache.kafka.common.security.plain.PlainLoginModule"
SECRET_REFERENCE = "{{secrets/"


def jaas_config(username: str, password: str) -> str:
    """SASL/PLAIN login with credentials the platform resolved from the secret scope."""
    for key, value in ((KAFKA_USERNAME, username), (KAFKA_PASSWORD, password)):
        if SECRET_REFERENCE in value or '"' in value or "\\" in value:
            raise SettingsError(
                f"pipeline configuration {key} was not resolved to a plain credential: reference the "
                "secret there as {{secrets/<scope>/<key>}} (Databricks resolves it in configuration only)"
            )
    return f'{LOGIN_MODULE} required username="{username}" password="{password}";'


def reader_options(table: SourceTable, settings: Settings) -> dict[str, str]:
    """Options of the Databricks `kafka` stream for one source table."""
    if not settings.source_location:
        raise SettingsError(
            f"source {table.name} reads Kafka: set the pipeline configuration {SOURCE_LOCATION} "
            "to the bootstrap servers host:port[,host:port]"
        )
    options = {
        "kafka.bootstrap.servers": settings.source_location,
        "subscribe": table.source.topic or table.name,
        "startingOffsets": table.source.starting_offsets,
    }
    if settings.kafka_username or settings.kafka_password:
        if not (settings.kafka_username and settings.kafka_password):
            raise SettingsError(f"set both {KAFKA_USERNAME} and {KAFKA_PASSWORD}, or neither")
        options |= {
            "kafka.security.protocol": "SASL_SSL",
            "kafka.sasl.mechanism": "PLAIN",
            "kafka.sasl.jaas.config": jaas_config(settings.kafka_username, settings.kafka_password),
        }
    return options | table.source.options


def parse_records(records: Any, table: SourceTable) -> Any:
    """Kafka-shaped rows (key, value, topic, partition, offset, timestamp) -> bronze columns.

    The value is a JSON object decoded with the spec's columns; unknown keys and values that
    are not JSON objects go to `_rescued_data`. Used by the Databricks reader and the local
    replay alike.
    """
    decoded = records.selectExpr(
        *METADATA_COLUMNS,
        f"{json_record('CAST(value AS STRING)')} AS {RECORD}",
        f"CAST(value AS STRING) AS {RAW_TEXT}",
        f"format_string('kafka://%s/%d/%d', topic, partition, offset) AS {SOURCE_FILE}",
    )
    return decoded.selectExpr(
        *columns_from_record(table.raw_column_names, sources=table.source_names), *META_NAMES, SOURCE_FILE
    )
