"""Turn one text record (a JSON object or a CSV line) into the spec's columns plus a rescue.

Known keys become STRING columns; keys the spec does not name, and records that do not
parse at all, go to `_rescued_data` (JSON text) so bronze drops nothing.
"""

from __future__ import annotations

from medallion.audit import RESCUED_DATA
from medallion.sql import literal, quote_identifier

RECORD = "_record"
RAW_TEXT = "_raw_text"
MAP_TYPE = "MAP<STRING,STRING>"
RAW_RECORD_KEY = "_raw_record"


def json_record(text: str) -> str:
    """A JSON object's text -> MAP<STRING,STRING> (NULL when it is not a JSON object)."""
    return f"from_json({text}, {literal(MAP_TYPE)})"


def columns_from_record(names: tuple[str, ...], record: str = RECORD, raw: str = RAW_TEXT) -> list[str]:
    """One STRING column per spec column, then `_rescued_data` for everything else."""
    known = f"array({', '.join(literal(n) for n in names)})"
    unknown = f"map_filter({record}, (k, v) -> NOT array_contains({known}, k))"
    rescued = (
        f"CASE WHEN {raw} IS NULL THEN NULL "
        f"WHEN {record} IS NULL THEN to_json(map({literal(RAW_RECORD_KEY)}, {raw})) "
        f"WHEN cardinality({unknown}) > 0 THEN to_json({unknown}) END AS {RESCUED_DATA}"
    )
    return [f"{record}[{literal(n)}] AS {quote_identifier(n)}" for n in names] + [rescued]


def csv_struct(text: str, width: int) -> str:
    """Parse one CSV line into a struct of `width` STRING fields c0, c1, ... (missing: NULL)."""
    return f"from_csv({text}, {literal(', '.join(f'c{i} STRING' for i in range(width)))})"


def csv_record(header: str, values: str, width: int) -> str:
    """Pair a data line's parsed fields with its file's parsed header -> MAP<STRING,STRING>.

    Both come from csv_struct, so a later file may add or reorder columns.
    """
    names = f"filter(array({', '.join(f'{header}.c{i}' for i in range(width))}), x -> x IS NOT NULL)"
    fields = f"array({', '.join(f'{values}.c{i}' for i in range(width))})"
    return f"map_from_arrays({names}, slice({fields}, 1, size({names})))"
