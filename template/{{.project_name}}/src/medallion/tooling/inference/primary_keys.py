"""Candidate primary keys: unique, (almost) non-null column sets, with versions detected."""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import combinations

import pandas as pd

from medallion.tooling.inference.profile import ColumnProfile, TableProfile
from medallion.tooling.inference.types import tolerated

MAX_KEY_COLUMNS = 3
WIDE_KEY_COLUMNS = 4
"""Four columns are searched only when no key of up to MAX_KEY_COLUMNS exists (a fielding line:
player, year, stint and position)."""
MAX_COMBINATION_COLUMNS = 12
"""Composite keys are searched among this many most id-like columns (wide tables stay fast)."""
KEY_TYPES = ("string", "int", "bigint", "smallint", "tinyint", "date", "timestamp", "timestamp_ntz")
TIMESTAMP_TYPES = ("timestamp", "timestamp_ntz")
"""Timestamps are key columns only beside others (a unique (time_hour, carrier, flight)), never
alone, and never a change column such as updated_at (that orders versions instead)."""
ID_NAME = re.compile(r"(^|_)(id|key|code|no|nr|num|number|isbn|sku|uuid|guid|ref)$|id$")
"""An identifier's name ends in its id word (team_id_winner names the winner's team: a reference)."""
SEQUENCE_NAME = re.compile(r"(updated|modified|changed|version|loaded|ingested|extracted|as_of|last_)")


@dataclass(frozen=True)
class KeyCandidate:
    """A primary key found in the sample and how it was proven."""

    columns: tuple[str, ...]
    sequence_by: str | None
    versioned_keys: int
    """Keys with several versions (distinct rows) in the sample; 0 when the key is plainly unique."""
    evidence: str


def find_key(table: TableProfile) -> KeyCandidate | None:
    """The best minimal key: most id-like names, then fewest columns, plainly unique before versioned.

    Names only rank keys that the data already proves unique: in a small table a measure
    such as `seats` can be unique too, and (city, branch_code) is still the better key.
    """
    frame = table.frame.loc[table.frame.astype(str).drop_duplicates().index]
    codes = pd.DataFrame({c: pd.factorize(frame[c])[0] for c in frame.columns}, index=frame.index)
    eligible = (c for c in table.columns if _may_be_key(c, table.rows))
    columns = sorted(eligible, key=lambda c: _column_rank(c, table))
    sequences = [c.name for c in table.columns if c.is_temporal and c.non_null]
    found: list[KeyCandidate] = []
    for size in range(1, WIDE_KEY_COLUMNS + 1):
        if size > MAX_KEY_COLUMNS and found:
            break
        pool = columns if size == 1 else columns[:MAX_COMBINATION_COLUMNS]
        for combo in combinations(pool, size):
            if size == 1 and combo[0].type in TIMESTAMP_TYPES:
                continue
            names = {c.name for c in combo}
            if any(set(k.columns) <= names for k in found):
                continue
            key = _check(frame, codes, combo, sequences, table)
            if key:
                found.append(key)
    return min(found, key=lambda k: _rank(k, table)) if found else None


def _column_rank(column: ColumnProfile, table: TableProfile) -> tuple[bool, bool, bool, int]:
    """Id-like names first, then event timestamps (a grain's time), then codes, then position."""
    return (
        not ID_NAME.search(column.name),
        column.type not in TIMESTAMP_TYPES,
        not _code_like(column),
        table.sample.columns.index(column.name),
    )


def _may_be_key(column: ColumnProfile, rows: int) -> bool:
    missing = rows - column.non_null
    typed = column.type in KEY_TYPES or column.type.endswith(",0)")
    if column.type in TIMESTAMP_TYPES and SEQUENCE_NAME.search(column.name):
        return False
    return typed and column.distinct > 1 and missing <= tolerated(rows)


def _check(
    frame: pd.DataFrame,
    codes: pd.DataFrame,
    combo: tuple[ColumnProfile, ...],
    sequences: list[str],
    table: TableProfile,
) -> KeyCandidate | None:
    """`codes` holds each column of `frame` factorized (-1 for NULL): uniqueness is decided on
    integers, and the rows themselves are read only when a key repeats."""
    names = tuple(c.name for c in sorted(combo, key=lambda c: table.sample.columns.index(c.name)))
    columns = codes[list(names)]
    present = (columns >= 0).all(axis=1)
    if not present.any():
        return None
    repeated = (columns if present.all() else columns[present]).duplicated(keep=False)
    if not repeated.any():
        sequence = _sequence_hint(table, names)
        return KeyCandidate(names, sequence, 0, _evidence(table, names, 0, sequence))
    keyed = frame.loc[present]
    candidates = [s for s in sequences if s not in names and not keyed.duplicated(subset=[*names, s]).any()]
    if not candidates or not _look_like_versions(keyed[repeated], names, candidates):
        return None
    sequence = min(candidates, key=lambda s: (not SEQUENCE_NAME.search(s), s))
    versioned = int(keyed[repeated].drop_duplicates(subset=list(names)).shape[0])
    return KeyCandidate(names, sequence, versioned, _evidence(table, names, versioned, sequence))


def _look_like_versions(rows: pd.DataFrame, names: tuple[str, ...], sequences: list[str]) -> bool:
    """Versions of one key share most columns; rows of different entities do not.

    A column "varies" when it holds two different non-NULL values within more than half of
    the repeated keys; at most a third of the other columns may vary (rules out e.g.
    order_id + updated_at over lines). A value that only fills in (NULL in the first sending,
    known in a later one: a flight's delay once it flew) is one version completed, not another
    entity.
    """
    others = [c for c in rows.columns if c not in names and c not in sequences]
    if not others:
        return True
    text = rows[others].astype(str).where(rows[others].notna())
    keyed = pd.concat([rows[list(names)].astype(str), text], axis=1)
    changes = keyed.groupby(list(names))[others].nunique(dropna=True) > 1
    varying = int((changes.mean() > 0.5).sum())
    return varying <= len(others) / 3


def _sequence_hint(table: TableProfile, names: tuple[str, ...]) -> str | None:
    """A change-timestamp column worth ordering versions by, even with no versions sampled."""
    hinted = (c.name for c in table.columns if c.is_temporal and SEQUENCE_NAME.search(c.name))
    return next((name for name in hinted if name not in names), None)


def _rank(key: KeyCandidate, table: TableProfile) -> tuple[float, int, float, bool, int, int]:
    size = len(key.columns)
    named = sum(1 for c in key.columns if ID_NAME.search(c)) / size
    coded = sum(1 for c in key.columns if _code_like(table.column(c))) / size
    nulls = sum(table.rows - table.column(c).non_null for c in key.columns)
    position = sum(table.sample.columns.index(c) for c in key.columns)
    return (-named, size, -coded, key.versioned_keys > 0, nulls, position)


def _code_like(column: ColumnProfile) -> bool:
    """Integers, or short text without spaces (codes rather than names)."""
    if column.type != "string":
        return column.type not in ("date", *TIMESTAMP_TYPES)
    return all(isinstance(v, str) and " " not in v.strip() and len(v) <= 24 for v, _ in column.top)


def _evidence(table: TableProfile, names: tuple[str, ...], versioned: int, sequence: str | None) -> str:
    missing = sum(table.rows - table.column(c).non_null for c in names)
    parts = [f"unique in {table.rows:,} sampled rows"]
    if table.exact_duplicates:
        parts[0] = f"unique once {table.exact_duplicates:,} exact duplicate rows are removed"
    if versioned:
        parts.append(f"{versioned:,} keys have several versions, ordered by {sequence}")
    elif sequence:
        parts.append(f"{sequence} orders re-sent rows")
    if missing:
        parts.append(f"{missing:,} NULL or unparseable key values")
    return "; ".join(parts)
