"""Typed, validated view of medallion.yml (built by medallion.spec.load)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from medallion.vocabulary import FileFormat, SourceType

Action = Literal["warn", "drop", "fail"]


@dataclass(frozen=True)
class Column:
    """One typed column of a source table."""

    name: str
    type: str
    description: str = ""
    trim: bool = True
    case: Literal["lower", "upper", "preserve"] = "preserve"
    format: str | None = None
    expr: str | None = None
    """A derived column: SQL over the row's typed source columns, computed in silver (not read)."""
    source_name: str | None = None
    """The column's name in the source when it is not `name` (e.g. `2B`, `playerID`, `park.key`)."""

    @property
    def read_as(self) -> str:
        """The name the source's files or records give this column."""
        return self.source_name or self.name

    @property
    def is_string(self) -> bool:
        return self.type == "string"

    @property
    def is_money_like(self) -> bool:
        return self.type.startswith("decimal")


@dataclass(frozen=True)
class SourceConfig:
    """Where a table's raw data comes from."""

    type: SourceType
    format: FileFormat | None
    path: str
    table: str | None = None
    topic: str | None = None
    starting_offsets: str = "earliest"
    skip_change_commits: bool = False
    options: dict[str, str] = field(default_factory=dict)
    null_values: tuple[str, ...] = ()
    """Texts that stand for a missing value in this source (silver reads them as NULL)."""


@dataclass(frozen=True)
class Expectation:
    """A named data-quality rule.

    Row rules (`rule` set) are SQL predicates over one row; table checks (`unique`,
    `freshness`) are computed over the whole table and reported as metrics.
    """

    name: str
    action: Action
    rule: str | None
    use: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    # where the rule comes from in medallion.yml, e.g. sources.orders.expectations[5]
    key: str = field(default="", compare=False)

    @property
    def is_row_rule(self) -> bool:
        return self.rule is not None


@dataclass(frozen=True)
class Reference:
    """A foreign key from this table's columns to another source table's key."""

    columns: tuple[str, ...]
    table: str
    key: tuple[str, ...]


@dataclass(frozen=True)
class Thresholds:
    """Data-quality limits the monitor judges a run against (None: no limit)."""

    max_quarantine_fraction: float | None = None
    max_warning_fraction: float | None = None
    max_orphan_fraction: float | None = None
    max_hours_without_new_rows: float | None = None
    """Freshness: hours a source may go without new bronze rows before the alert fires (None: the
    default, medallion.gold.quality.DEFAULT_HOURS_WITHOUT_NEW_ROWS)."""


@dataclass(frozen=True)
class SourceTable:
    """One source table and everything silver needs to clean it."""

    name: str
    source: SourceConfig
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...]
    sequence_by: str | None
    expectations: tuple[Expectation, ...]
    references: tuple[Reference, ...]
    thresholds: Thresholds
    description: str = ""

    @property
    def column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.columns)

    @property
    def raw_columns(self) -> tuple[Column, ...]:
        """The columns read from the source (every column but the derived ones)."""
        return tuple(c for c in self.columns if c.expr is None)

    @property
    def raw_column_names(self) -> tuple[str, ...]:
        return tuple(c.name for c in self.raw_columns)

    @property
    def source_names(self) -> dict[str, str]:
        """Spec name -> name in the source, for every read column (the same name when not renamed)."""
        return {c.name: c.read_as for c in self.raw_columns}

    @property
    def renamed(self) -> dict[str, str]:
        """Name in the source -> spec name, for the columns the spec renames."""
        return {c.source_name: c.name for c in self.raw_columns if c.source_name and c.source_name != c.name}

    @property
    def derived_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.expr is not None)

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)

    @property
    def row_rules(self) -> tuple[Expectation, ...]:
        return tuple(e for e in self.expectations if e.is_row_rule)

    def rules_with_action(self, action: Action) -> tuple[Expectation, ...]:
        return tuple(e for e in self.row_rules if e.action == action)

    @property
    def table_checks(self) -> tuple[Expectation, ...]:
        return tuple(e for e in self.expectations if not e.is_row_rule)


@dataclass(frozen=True)
class Dimension:
    """A gold dimension built from a source table's silver data."""

    name: str
    source: str
    key: tuple[str, ...]
    attributes: tuple[str, ...]
    scd: Literal[1, 2]
    track: tuple[str, ...]
    description: str = ""


@dataclass(frozen=True)
class Measure:
    """An additive figure on a fact, computed from silver columns."""

    name: str
    expr: str
    type: str = "decimal(18,2)"
    description: str = ""
    key: str = field(default="", compare=False)  # e.g. gold.facts.sales.measures.amount


@dataclass(frozen=True)
class DimensionLink:
    """A fact's reference to a dimension under a role: the fact gets a `<role>_key` column.

    The role is the dimension's own name unless the fact plays it several times
    (`origin_airport` and `dest_airport` both pointing at dim_airport).
    """

    role: str
    dimension: str
    foreign_key: tuple[str, ...]
    """The fact's columns matching the dimension's natural key, in order."""


@dataclass(frozen=True)
class Fact:
    """A gold fact table at a declared grain."""

    name: str
    source: str
    grain: tuple[str, ...]
    event_time: str | None
    links: tuple[DimensionLink, ...]
    measures: tuple[Measure, ...]
    attributes: tuple[str, ...] = ()
    description: str = ""

    @property
    def dimension_names(self) -> tuple[str, ...]:
        """The dimensions the fact references, each once, in spec order."""
        return tuple(dict.fromkeys(link.dimension for link in self.links))


@dataclass(frozen=True)
class CustomTable:
    """An escape hatch: a gold table from SQL or a Python function."""

    name: str
    sql: str | None
    python: str | None
    cluster_by: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class Calendar:
    """The days dim_date may cover; fact dates outside them get the unknown date (-1)."""

    first: date
    last: date


@dataclass(frozen=True)
class Gold:
    """The star schema: dimensions, facts, a date dimension, aggregates."""

    dimensions: tuple[Dimension, ...] = ()
    facts: tuple[Fact, ...] = ()
    date_dimension: bool = False
    aggregates: tuple[CustomTable, ...] = ()
    calendar: Calendar | None = None


@dataclass(frozen=True)
class Spec:
    """The whole pipeline description."""

    path: Path
    sources: tuple[SourceTable, ...]
    gold: Gold
    thresholds: Thresholds

    def source(self, name: str) -> SourceTable:
        return next(s for s in self.sources if s.name == name)

    @property
    def source_names(self) -> tuple[str, ...]:
        return tuple(s.name for s in self.sources)
