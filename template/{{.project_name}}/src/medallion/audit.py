"""Audit columns every bronze row carries, and the SQL that fills them."""

from __future__ import annotations

from medallion.sql import literal
from medallion.vocabulary import INGESTED_AT, RESCUED_DATA, SOURCE_FILE, UPDATE_ID

FILE_PATH = f"_metadata.file_path AS {SOURCE_FILE}"
NO_RESCUE = f"CAST(NULL AS STRING) AS {RESCUED_DATA}"


def stamp_columns(update_id: str | None) -> list[str]:
    """Ingestion time (evaluated per micro-batch, inside the query) and the update id."""
    return [
        f"current_timestamp() AS {INGESTED_AT}",
        f"CAST({literal(update_id)} AS STRING) AS {UPDATE_ID}",
    ]
