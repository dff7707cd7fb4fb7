"""Kafka sources: the Databricks reader options and the ONE value parser both engines use."""

from __future__ import annotations

from typing import Any

from medallion.audit import SOURCE_FILE
from medallion.context import KAFKA_BOOTSTRAP_SERVERS, Settings, SettingsError
from medallion.records import RAW_TEXT, RECORD, columns_from_record, json_record
from medallion.spec.model import SourceTable

# The shape of a Kafka record, also the schema of the local replay files (JSON lines).
RECORD_SCHEMA = "key STRING, value STRING, topic STRING, partition INT, offset BIGINT, timestamp TIMESTAMP"
METADATA_COLUMNS = (
    "CAST(key AS STRING) AS _kafka_key",
    "topic AS _kafka_topic",
    "partition AS _kafka_partition",
    "offset AS _kafka_offset",
    "timestamp AS _kafka_timestamp",
)
META_NAMES = ("_kafka_key", "_kafka_topic", "_kafka_partition", "_kafka_offset", "_kafka_timestamp")
USERNAME_KEY = "kafka-username"
PASSWORD_KEY = "kafka-password"
LOGIN_MODULE = "kafkashaded.org.apache.kafka.common.security.plain.PlainLoginModule"


def secret_reference(scope: str, key: str) -> str:
    """A Databricks secret reference, resolved by the platform, never the secret itself."""
    return "{{secrets/" + scope + "/" + key + "}}"


def jaas_config(scope: str) -> str:
    """SASL/PLAIN login whose username and password are secret-scope references."""
    user = secret_reference(scope, USERNAME_KEY)
    password = secret_reference(scope, PASSWORD_KEY)
    return f'{LOGIN_MODULE} required username="{user}" password="{password}";'


def reader_options(table: SourceTable, settings: Settings) -> dict[str, str]:
    """Options of the Databricks `kafka` stream for one source table."""
    if not settings.kafka_bootstrap_servers:
        raise SettingsError(
            f"source {table.name} reads Kafka: set the pipeline configuration {KAFKA_BOOTSTRAP_SERVERS}"
        )
    options = {
        "kafka.bootstrap.servers": settings.kafka_bootstrap_servers,
        "subscribe": table.source.topic or table.name,
        "startingOffsets": table.source.starting_offsets,
    }
    if settings.kafka_secret_scope:
        options |= {
            "kafka.security.protocol": "SASL_SSL",
            "kafka.sasl.mechanism": "PLAIN",
            "kafka.sasl.jaas.config": jaas_config(settings.kafka_secret_scope),
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
    return decoded.selectExpr(*columns_from_record(table.column_names), *META_NAMES, SOURCE_FILE)
