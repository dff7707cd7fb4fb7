"""An independent Python statement of the SCD rules (gold/scd2.py, silver's latest row), for
tests that compare the pipeline's tables with it. It never imports the pipeline's code."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from typing import Any

END = datetime(9999, 12, 31)
AUDIT = ("_ingested_at", "_source_file")


def nulls_first(values: Sequence[Any]) -> tuple[Any, ...]:
    """A sort key ordering `values` field by field with NULL lowest (as Spark orders a struct)."""
    return tuple((v is not None, v) for v in values)


def newest(rows: Sequence[Mapping[str, Any]], tie_breakers: Sequence[str]) -> Mapping[str, Any]:
    """The row the pipeline keeps of rows at one instant: newest `_ingested_at`, then
    `_source_file`, then the greatest values, NULLs last at every step."""
    order = (*AUDIT, *tie_breakers)
    return max(rows, key=lambda r: nulls_first([r[c] for c in order]))


def reference_versions(
    history: Sequence[Mapping[str, Any]],
    key: Sequence[str],
    attributes: Sequence[str],
    track: Sequence[str],
    sequence_by: str,
) -> set[tuple[Any, ...]]:
    """(key..., attributes..., valid_from, valid_to, is_current) per SCD2 version: rows without a
    key part or a sequence value are left out; one row per instant (`newest`); a version opens
    when the tracked values differ from the previous instant's; it carries its last row's values."""
    keep = [*key, *attributes]
    instants: dict[tuple[Any, ...], dict[Any, list[Mapping[str, Any]]]] = {}
    for row in history:
        if row[sequence_by] is None or any(row[k] is None for k in key):
            continue
        instants.setdefault(tuple(row[k] for k in key), {}).setdefault(row[sequence_by], []).append(row)
    versions: set[tuple[Any, ...]] = set()
    for by_instant in instants.values():
        runs: list[list[Mapping[str, Any]]] = []
        for at in sorted(by_instant):
            row = newest(by_instant[at], keep)
            if not runs or [row[c] for c in track] != [runs[-1][-1][c] for c in track]:
                runs.append([])
            runs[-1].append(row)
        starts = [_as_timestamp(run[0][sequence_by]) for run in runs]
        for i, run in enumerate(runs):
            current = i == len(runs) - 1
            versions.add((*(run[-1][c] for c in keep), starts[i], END if current else starts[i + 1], current))
    return versions


def _as_timestamp(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime(value.year, value.month, value.day)


__all__ = ["END", "date", "newest", "nulls_first", "reference_versions"]
