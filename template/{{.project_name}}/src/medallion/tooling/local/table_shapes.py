"""Tables whose shape a spec edit changed since the last run in a database, so that run-local
drops and rebuilds exactly those instead of failing.

The local metastore (Hive on Derby) cannot change a table's column types or add columns the way
a Databricks pipeline's refresh does: a type change fails with CANNOT_MERGE_INCOMPATIBLE_DATA_TYPE
and a new column in gold with "Unable to alter table" (also under --full-refresh). What decides a
table's columns in the spec is fingerprinted per table; a run compares the fingerprints with
those of the last completed run in the same database (`.medallion/table-shapes.json`), drops the
changed tables and fully refreshes them (and only them), then records the new fingerprints.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from medallion import naming
from medallion.spec.model import Spec

SHAPES_FILE = "table-shapes.json"


def fingerprints(spec: Spec) -> dict[str, str]:
    """table -> a digest of what decides its columns: its source's reader and columns, key and
    sequence for bronze, silver and quarantine; the whole star and every source's columns for gold."""
    found: dict[str, str] = {}
    for source in spec.sources:
        shape = _digest(repr((source.source, source.columns, source.primary_key, source.sequence_by)))
        for table in (
            naming.bronze_table(source.name),
            naming.history_table(source.name),
            naming.quarantine_table(source.name),
            naming.silver_table(source.name),
        ):
            found[table] = shape
    star = _digest(repr((spec.gold, [(s.name, s.source, s.columns) for s in spec.sources])))
    for table, layer in naming.expected_tables(spec).items():
        if layer == "gold":
            found[table] = star
    return found


def changed_tables(state: Path, database: str, current: dict[str, str]) -> list[str]:
    """Tables of the last completed run in `database` whose fingerprint differs now."""
    previous = _load(state).get(database, {})
    return [table for table, shape in current.items() if table in previous and previous[table] != shape]


def record(state: Path, database: str, current: dict[str, str], tables: tuple[str, ...]) -> None:
    """Remember the fingerprints of the tables this completed run built."""
    recorded = _load(state)
    shapes = recorded.setdefault(database, {})
    shapes.update({table: current[table] for table in tables if table in current})
    state.mkdir(parents=True, exist_ok=True)
    (state / SHAPES_FILE).write_text(json.dumps(recorded, indent=2, sort_keys=True) + "\n")


def _load(state: Path) -> dict[str, dict[str, str]]:
    try:
        loaded = json.loads((state / SHAPES_FILE).read_text())
    except (OSError, ValueError):
        return {}
    return loaded if isinstance(loaded, dict) else {}


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]
