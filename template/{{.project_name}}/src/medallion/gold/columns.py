"""The typed, commented column list of every gold table, derived from the spec alone.

One source of truth: the builders cast to these types, the DDL (`schema=`) is rendered from
them and the spec's checks compile aggregates against them (medallion.spec.scopes), so none can
drift apart. No pyspark here: the spec imports this module.
"""

from __future__ import annotations

from dataclasses import dataclass

from medallion import naming
from medallion.spec.model import Dimension, DimensionLink, Fact, SourceTable

VALID_FROM, VALID_TO, IS_CURRENT = "valid_from", "valid_to", "is_current"
DATE_KEY = "date_key"
UNKNOWN_KEY = -1
"""The unknown member's surrogate key: facts whose reference finds no member point at it."""
START_OF_TIME = "1900-01-01 00:00:00"
END_OF_TIME = "9999-12-31 00:00:00"


def key_column(name: str) -> str:
    """The surrogate key column of dimension `name` (on the dimension and on facts)."""
    return f"{name}_key"


@dataclass(frozen=True)
class GoldColumn:
    """One output column: name, Spark SQL type, comment, and for NOT NULL columns the value
    that stands in for a NULL (the engines compare declared and inferred nullability)."""

    name: str
    type: str
    comment: str
    default: object = None

    @property
    def nullable(self) -> bool:
        return self.default is None


def _source_column(source: SourceTable, name: str, fallback: str) -> GoldColumn:
    """A source column carried into gold (text when the spec does not know it yet: the loader
    compiles aggregates before it has refused an unknown column)."""
    if name not in source.column_names:
        return GoldColumn(name, "string", fallback)
    column = source.column(name)
    return GoldColumn(name, column.type, column.description or fallback)


def dimension_columns(dim: Dimension, source: SourceTable) -> tuple[GoldColumn, ...]:
    """Surrogate key, natural key, attributes and, for SCD2, the validity interval."""
    table = naming.dimension_table(dim.name)
    columns = [
        GoldColumn(
            key_column(dim.name),
            "bigint",
            f"Surrogate key of {table}; -1 is the unknown member.",
            UNKNOWN_KEY,
        ),
        *(_source_column(source, c, f"Natural key ({dim.source}.{c}).") for c in dim.key),
        *(_source_column(source, c, f"{c} from {dim.source}.") for c in dim.attributes),
    ]
    if dim.scd == 2:
        columns += [
            GoldColumn(
                VALID_FROM, "timestamp", "Start of this version's validity (inclusive).", START_OF_TIME
            ),
            GoldColumn(
                VALID_TO, "timestamp", "End of validity (exclusive); 9999-12-31 while current.", END_OF_TIME
            ),
            GoldColumn(IS_CURRENT, "boolean", "True for the current version of the natural key.", False),
        ]
    return tuple(columns)


def _role_comment(link: DimensionLink) -> str:
    table = naming.dimension_table(link.dimension)
    role = "" if link.role == link.dimension else f" as {link.role} (from {', '.join(link.foreign_key)})"
    return f"Key of {table}{role}; -1 when unknown or orphan."


def fact_columns(fact: Fact, source: SourceTable) -> tuple[GoldColumn, ...]:
    """Grain, dimension keys, date key, event time, degenerate attributes, measures."""
    columns = [_source_column(source, c, f"Grain column ({fact.source}.{c}).") for c in fact.grain]
    columns += [
        GoldColumn(
            key_column(link.role),
            "bigint",
            _role_comment(link),
            UNKNOWN_KEY,
        )
        for link in fact.links
    ]
    if fact.event_time:
        columns.append(
            GoldColumn(
                DATE_KEY, "int", f"Key of {naming.DATE_DIMENSION} (yyyymmdd); -1 when unknown.", UNKNOWN_KEY
            )
        )
        if fact.event_time not in fact.grain:
            columns.append(_source_column(source, fact.event_time, "When the event happened."))
    columns += [
        _source_column(source, c, f"{c} (degenerate dimension).")
        for c in fact.attributes
        if c not in fact.grain and c != fact.event_time
    ]
    columns += [GoldColumn(m.name, m.type, m.description or f"Measure: {m.expr}.") for m in fact.measures]
    return tuple(columns)


DATE_COLUMNS: tuple[GoldColumn, ...] = (
    GoldColumn(DATE_KEY, "int", "yyyymmdd; -1 is the unknown date.", UNKNOWN_KEY),
    GoldColumn("date", "date", "Calendar date."),
    GoldColumn("year", "int", "Calendar year."),
    GoldColumn("quarter", "int", "Quarter of the year, 1-4."),
    GoldColumn("month", "int", "Month of the year, 1-12."),
    GoldColumn("month_name", "string", "Month name, e.g. January."),
    GoldColumn("year_month", "string", "yyyy-MM, for monthly grouping."),
    GoldColumn("day", "int", "Day of the month."),
    GoldColumn("day_of_week", "int", "ISO day of the week: 1 = Monday ... 7 = Sunday."),
    GoldColumn("day_name", "string", "Day name, e.g. Monday."),
    GoldColumn("day_of_year", "int", "Day of the year, 1-366."),
    GoldColumn("week_of_year", "int", "ISO week of the year."),
    GoldColumn("is_weekend", "boolean", "Saturday or Sunday."),
)
