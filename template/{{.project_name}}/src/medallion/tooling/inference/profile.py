"""Per-table and per-column statistics of typed samples (pandas, no Spark)."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import pandas as pd

from medallion.expectations import EMAIL_PATTERN
from medallion.tooling.inference.read import TableSample
from medallion.tooling.inference.types import TypedColumn, infer_column

NUMERIC_PREFIXES = ("int", "bigint", "smallint", "tinyint", "decimal", "double", "float")
TOP_VALUES = 12
_EMAIL = re.compile(EMAIL_PATTERN)


@dataclass(frozen=True)
class ColumnProfile:
    """What the sample says about one column."""

    column: TypedColumn
    rows: int
    distinct: int
    minimum: Any
    maximum: Any
    top: tuple[tuple[Any, int], ...]
    emails: int

    @property
    def name(self) -> str:
        return self.column.name

    @property
    def type(self) -> str:
        return self.column.type

    @property
    def non_null(self) -> int:
        return self.rows - self.column.nulls - self.column.bad

    @property
    def is_numeric(self) -> bool:
        return self.type.startswith(NUMERIC_PREFIXES)

    @property
    def is_temporal(self) -> bool:
        return self.type in ("date", "timestamp", "timestamp_ntz")


@dataclass(frozen=True)
class TableProfile:
    """A table's sample, typed, with its column profiles and duplicate count."""

    sample: TableSample
    columns: tuple[ColumnProfile, ...]
    frame: pd.DataFrame
    exact_duplicates: int

    @property
    def name(self) -> str:
        return self.sample.name

    @property
    def rows(self) -> int:
        return len(self.frame)

    def column(self, name: str) -> ColumnProfile:
        return next(c for c in self.columns if c.name == name)


def profile_table(sample: TableSample) -> TableProfile:
    """Type every column, then count, bound and summarise it."""
    typed = [infer_column(name, [row.get(name) for row in sample.rows]) for name in sample.columns]
    data = {c.name: pd.Series(c.values, dtype=object) for c in typed}
    frame = pd.DataFrame(data, columns=list(sample.columns))
    profiles = tuple(_profile_column(c, frame[c.name]) for c in typed)
    duplicates = int(frame.astype(str).duplicated().sum()) if len(frame) else 0
    return TableProfile(sample, profiles, frame, duplicates)


def _profile_column(column: TypedColumn, series: pd.Series) -> ColumnProfile:
    present = [v for v in series if v is not None]
    counts = Counter(present)
    top = tuple(sorted(counts.items(), key=lambda item: (-item[1], str(item[0]))))[:TOP_VALUES]
    emails = sum(1 for v in present if isinstance(v, str) and _EMAIL.match(v.strip()))
    ordered = sorted(present) if present and column.type != "string" else []
    return ColumnProfile(
        column=column,
        rows=len(series),
        distinct=len(counts),
        minimum=ordered[0] if ordered else None,
        maximum=ordered[-1] if ordered else None,
        top=top,
        emails=emails,
    )
