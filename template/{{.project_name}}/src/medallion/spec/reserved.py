"""Column names the pipeline adds itself, which a spec's columns may not take.

Kept as plain text so the spec loader imports no pipeline module; tests/spec checks every
name against the constant it mirrors (medallion.audit, rules, silver, records, kafka, gold).
"""

from __future__ import annotations

# bronze audit columns (medallion.audit) and the quarantine's rule list (medallion.rules)
AUDIT = ("_rescued_data", "_ingested_at", "_source_file", "_update_id")
ERRORS = "_errors"
# silver: raw values struct and the latest-version rank (medallion.silver)
SILVER = ("_raw", "_rn")
# readers: parsed record, raw text, rescue keys, CSV helpers (medallion.records)
READERS = ("_record", "_raw_text", "_raw_record", "_rescue_map", "_encoding_error")
# Kafka record metadata (medallion.kafka.META_NAMES) and file metadata on Databricks
KAFKA = ("_kafka_key", "_kafka_topic", "_kafka_partition", "_kafka_offset", "_kafka_timestamp")
PLATFORM = ("_metadata",)

RESERVED_COLUMNS = frozenset((*AUDIT, ERRORS, *SILVER, *READERS, *KAFKA, *PLATFORM))
# prefixes of generated helper columns: records (_medallion_p0, _medallion_raw), gold (__fk_, __rank)
RESERVED_PREFIXES = ("_medallion", "__", "_kafka_")


def reserved_reason(name: str) -> str | None:
    """Why `name` cannot be a spec column, or None when it can."""
    if name in RESERVED_COLUMNS:
        return f"{name!r} is a column the pipeline adds itself"
    for prefix in RESERVED_PREFIXES:
        if name.startswith(prefix):
            return f"names starting with {prefix!r} are reserved for columns the pipeline adds"
    return None
