"""Candidate foreign keys by value containment in another table's key (names are ignored)."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

import pandas as pd

from medallion.infer.keys import KeyCandidate
from medallion.infer.profile import TableProfile

MIN_CONTAINMENT = 0.95
MIN_INTEGER_COVERAGE = 0.1
"""Integer columns must also hit this share of the target's keys (quantities 1..10 are not ids)."""
INTEGER_TYPES = ("int", "bigint", "smallint", "tinyint")


@dataclass(frozen=True)
class ForeignKey:
    """Columns of one table whose values are (almost all) keys of another table."""

    table: str
    columns: tuple[str, ...]
    target: str
    target_key: tuple[str, ...]
    found: int
    total: int

    @property
    def evidence(self) -> str:
        orphans = self.total - self.found
        share = 100 * self.found / self.total
        return f"{self.found:,} of {self.total:,} non-null values ({share:.1f}%) found; {orphans:,} orphans"


def find_foreign_keys(
    tables: dict[str, TableProfile], keys: dict[str, KeyCandidate | None]
) -> list[ForeignKey]:
    """For every table, the best-contained reference per column set, sorted."""
    found: list[ForeignKey] = []
    for name, table in tables.items():
        own_key = keys[name].columns if keys[name] else ()
        best: dict[tuple[str, ...], ForeignKey] = {}
        for target_name, target_key in sorted(keys.items()):
            if target_name == name or target_key is None:
                continue
            for fk in _references(table, tables[target_name], target_key.columns):
                if fk.columns == own_key:
                    continue
                current = best.get(fk.columns)
                if current is None or fk.found / fk.total > current.found / current.total:
                    best[fk.columns] = fk
        found.extend(best[c] for c in sorted(best))
    return found


def _references(table: TableProfile, target: TableProfile, key: tuple[str, ...]) -> list[ForeignKey]:
    options = [
        [
            c.name
            for c in table.columns
            if _family(c.type) == _family(target.column(k).type)
            and _contained_share(table, c.name, target, k)
        ]
        for k in key
    ]
    result = []
    for columns in product(*options):
        if len(set(columns)) != len(columns):
            continue
        fk = _containment(table, columns, target, key)
        if fk is not None:
            result.append(fk)
    return result


def _family(spark_type: str) -> str:
    return "integer" if spark_type in INTEGER_TYPES else spark_type


def _contained_share(table: TableProfile, column: str, target: TableProfile, key_column: str) -> bool:
    values = table.frame[column].dropna()
    return len(values) > 0 and values.isin(set(target.frame[key_column].dropna())).mean() >= MIN_CONTAINMENT


def _containment(
    table: TableProfile, columns: tuple[str, ...], target: TableProfile, key: tuple[str, ...]
) -> ForeignKey | None:
    values = table.frame[list(columns)].dropna()
    keys = target.frame[list(key)].dropna().drop_duplicates()
    if values.empty or keys.empty:
        return None
    distinct = values.drop_duplicates()
    if len(distinct) < 2:
        return None
    value_rows = pd.MultiIndex.from_frame(values.astype(str))
    key_rows = pd.MultiIndex.from_frame(keys.astype(str))
    hits = int(value_rows.isin(key_rows).sum())
    if hits / len(values) < MIN_CONTAINMENT:
        return None
    if _family(table.column(columns[0]).type) == "integer":
        covered = int(pd.MultiIndex.from_frame(distinct.astype(str)).isin(key_rows).sum())
        if covered < len(keys) * MIN_INTEGER_COVERAGE:
            return None
    return ForeignKey(table.name, tuple(columns), target.name, key, hits, len(values))
