"""Typed, validated view of medallion.yml (built by medallion.spec.load).

The model declares the spec file's keys too: a field made with `spec_key` is a key of
medallion.yml, with its description, its default and, where its type does not say it all, its
JSON Schema. medallion.tooling.spec_schema writes medallion.schema.json from them (`make sync`); a
field without `spec_key` (a mapping's key, such as a column's name, or where a rule came from)
is not a key of the file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Literal

from medallion.vocabulary import FileFormat, SourceType

Action = Literal["warn", "drop", "fail"]

IDENTIFIER = {"$ref": "#/$defs/identifier"}
IDENTIFIER_LIST = {"$ref": "#/$defs/identifier_list"}
SPARK_TYPE = {"$ref": "#/$defs/spark_type"}
OPTION_VALUES = {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}}


def spec_key(
    description: str = "",
    *,
    schema: dict[str, Any] | None = None,
    yaml: str | None = None,
    required: bool = False,
) -> dict[str, Any]:
    """The metadata of a dataclass field that is a key of medallion.yml (`yaml`: its name there
    when it differs; `schema`: its JSON Schema when the field's type does not give it)."""
    return {
        "spec_key": True,
        "description": description,
        "schema": schema,
        "yaml": yaml,
        "required": required,
    }


def mapping_of(definition: str, description: str = "", **extra: Any) -> dict[str, Any]:
    """A YAML mapping whose keys are identifiers (names) and whose values are `definition`s."""
    schema: dict[str, Any] = {"type": "object"}
    if description:
        schema["description"] = description
    schema |= extra
    schema |= {"propertyNames": IDENTIFIER, "additionalProperties": {"$ref": f"#/$defs/{definition}"}}
    return schema


@dataclass(frozen=True)
class Column:
    """One typed column of a source table."""

    name: str
    type: str = field(metadata=spec_key(schema=SPARK_TYPE, required=True))
    description: str = field(default="", metadata=spec_key())
    trim: bool = field(default=True, metadata=spec_key("Trim surrounding spaces (strings; default true)."))
    case: Literal["lower", "upper", "preserve"] = field(
        default="preserve", metadata=spec_key("Normalise letter case (strings; default preserve).")
    )
    format: str | None = field(
        default=None, metadata=spec_key("Date/timestamp pattern for parsing text, e.g. yyyy-MM-dd.")
    )
    expr: str | None = field(
        default=None,
        metadata=spec_key(
            "A derived column: one SQL expression over the row's typed source columns, computed in silver "
            "and cast to `type` (e.g. a date from year, month and day: CAST(try_to_timestamp(concat_ws('-', "
            "year, month, day), 'y-M-d') AS DATE)). Not read from the source.",
            schema={"type": "string", "minLength": 1},
        ),
    )
    source_name: str | None = field(
        default=None,
        metadata=spec_key(
            "The column's name in the source files or records when it differs from the spec's name "
            "(exactly, letter case included), e.g. 2B, playerID or park.key; bronze and silver use the "
            "spec's name.",
            schema={"type": "string", "minLength": 1},
        ),
    )

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
    """Where a table's raw data comes from. Missing keys come from defaults.source."""

    type: SourceType = field(
        default="files",
        metadata=spec_key(
            "files: Auto Loader on Databricks; delta: a streaming read of a table; kafka: a topic."
        ),
    )
    format: FileFormat | None = field(default=None, metadata=spec_key("File format (type files only)."))
    path: str = field(
        default="",
        metadata=spec_key(
            "Files: folder relative to the pipeline's source root, or an absolute /Volumes/... path. "
            "Default: the table name.",
            schema={"type": "string", "minLength": 1},
        ),
    )
    table: str | None = field(
        default=None,
        metadata=spec_key(
            "Delta: [catalog.]schema.table to stream from. Default: <source root>.<table name>.",
            schema={"type": "string", "pattern": r"^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+){0,2}$"},
        ),
    )
    topic: str | None = field(
        default=None,
        metadata=spec_key(
            "Kafka: topic name. Default: the table name.",
            schema={"type": "string", "pattern": r"^[A-Za-z0-9._-]+$"},
        ),
    )
    starting_offsets: str = field(
        default="earliest", metadata=spec_key("Kafka: earliest, latest or a JSON offsets document.")
    )
    skip_change_commits: bool = field(
        default=False, metadata=spec_key("Delta: ignore updates/deletes in the source table.")
    )
    options: dict[str, str] = field(
        default_factory=dict,
        metadata=spec_key("Extra reader options passed as they are.", schema=OPTION_VALUES),
    )
    null_values: tuple[str, ...] = field(
        default=(),
        metadata=spec_key(
            "Texts the source writes for a missing value (e.g. NA, NULL, \\N): silver reads them as NULL "
            "in every column, after trimming; bronze keeps them as received. Empty text is always NULL.",
            schema={"type": "array", "items": {"type": "string", "minLength": 1}, "uniqueItems": True},
        ),
    )


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
    """A foreign key from this table's columns to another source table's key: a warn-only metric
    (gold maps orphans to the unknown member)."""

    columns: tuple[str, ...] = field(metadata=spec_key(required=True))
    table: str = field(metadata=spec_key(schema=IDENTIFIER, required=True))
    key: tuple[str, ...] = field(default=(), metadata=spec_key())


@dataclass(frozen=True)
class Thresholds:
    """Data-quality limits the monitor judges a run against (None: no limit)."""

    max_quarantine_fraction: float | None = field(
        default=None,
        metadata=spec_key(
            "Largest share of bronze rows allowed in quarantine.",
            schema={"type": "number", "minimum": 0, "maximum": 1},
        ),
    )
    max_warning_fraction: float | None = field(
        default=None,
        metadata=spec_key(
            "Largest share of rows allowed to fail a warn rule.",
            schema={"type": "number", "minimum": 0, "maximum": 1},
        ),
    )
    max_orphan_fraction: float | None = field(
        default=None,
        metadata=spec_key(
            "Largest share of rows whose references find no match.",
            schema={"type": "number", "minimum": 0, "maximum": 1},
        ),
    )
    max_hours_without_new_rows: float | None = field(
        default=None,
        metadata=spec_key(
            "Hours a source may go without new rows before the freshness alert fires (default 36: a daily "
            "load and half a day's slack).",
            schema={"type": "number", "exclusiveMinimum": 0},
        ),
    )
    """None: the default, medallion.gold.quality.DEFAULT_HOURS_WITHOUT_NEW_ROWS."""


@dataclass(frozen=True)
class SourceTable:
    """One source table and everything silver needs to clean it."""

    name: str
    source: SourceConfig = field(metadata=spec_key())
    columns: tuple[Column, ...] = field(
        metadata=spec_key(
            schema=mapping_of(
                "column",
                "Column name -> Spark type (or {type, description, trim, case, format}). Optional: inferred "
                "when absent.",
            )
        )
    )
    primary_key: tuple[str, ...] = field(metadata=spec_key())
    sequence_by: str | None = field(
        metadata=spec_key(
            "Column ordering versions of one key; the latest wins in silver_<t>.", schema=IDENTIFIER
        )
    )
    expectations: tuple[Expectation, ...] = field(
        metadata=spec_key(schema={"type": "array", "items": {"$ref": "#/$defs/expectation"}})
    )
    references: tuple[Reference, ...] = field(
        metadata=spec_key(schema={"type": "array", "items": {"$ref": "#/$defs/reference"}})
    )
    thresholds: Thresholds = field(metadata=spec_key())
    description: str = field(default="", metadata=spec_key())

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
    source: str = field(metadata=spec_key("A source table name.", schema=IDENTIFIER, required=True))
    key: tuple[str, ...] = field(metadata=spec_key("Natural key; default the source's primary_key."))
    attributes: tuple[str, ...] = field(metadata=spec_key())
    scd: Literal[1, 2] = field(default=1, metadata=spec_key())
    track: tuple[str, ...] = field(
        default=(), metadata=spec_key("SCD2: columns whose change opens a new version (default: attributes).")
    )
    description: str = field(default="", metadata=spec_key())


@dataclass(frozen=True)
class Measure:
    """An additive figure on a fact, computed from silver columns."""

    name: str
    expr: str = field(metadata=spec_key(schema={"type": "string", "minLength": 1}, required=True))
    type: str = field(default="decimal(18,2)", metadata=spec_key(schema=SPARK_TYPE))
    description: str = field(default="", metadata=spec_key())
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


ROLE_REFERENCE = {
    "type": "object",
    "description": "A role-playing reference: which dimension, and the fact's columns matching its key.",
    "required": ["dimension", "columns"],
    "additionalProperties": False,
    "properties": {
        "dimension": {
            **IDENTIFIER,
            "description": "The dimension (gold.dimensions name) this role points at.",
        },
        "columns": IDENTIFIER_LIST,
    },
}
ROLES = {
    "type": "object",
    "propertyNames": IDENTIFIER,
    "additionalProperties": {"oneOf": [IDENTIFIER_LIST, ROLE_REFERENCE]},
}
"""A fact's `dimensions`: role -> the fact's columns, or {dimension, columns} for a role-playing one."""


@dataclass(frozen=True)
class Fact:
    """A gold fact table at a declared grain."""

    name: str
    source: str = field(metadata=spec_key(schema=IDENTIFIER, required=True))
    grain: tuple[str, ...] = field(
        metadata=spec_key("Columns identifying one fact row; default the source's primary_key.")
    )
    event_time: str | None = field(
        metadata=spec_key("Timestamp/date column: SCD2 lookups and the date key.", schema=IDENTIFIER)
    )
    links: tuple[DimensionLink, ...] = field(
        metadata=spec_key(
            "Role -> the fact's columns matching the dimension's natural key, in order. The role is the "
            "dimension's name, or any name with `{dimension: ..., columns: [...]}` to play one dimension "
            "several times (origin_airport, dest_airport); the fact gets a `<role>_key` column per role.",
            yaml="dimensions",
            schema=ROLES,
        ),
    )
    measures: tuple[Measure, ...] = field(
        metadata=spec_key(schema=mapping_of("measure", minProperties=1), required=True)
    )
    attributes: tuple[str, ...] = field(
        default=(), metadata=spec_key("Degenerate dimensions kept on the fact.")
    )
    description: str = field(default="", metadata=spec_key())

    @property
    def dimension_names(self) -> tuple[str, ...]:
        """The dimensions the fact references, each once, in spec order."""
        return tuple(dict.fromkeys(link.dimension for link in self.links))


@dataclass(frozen=True)
class CustomTable:
    """An escape hatch: a gold table from SQL or a Python function."""

    name: str
    sql: str | None = field(metadata=spec_key(schema={"type": "string", "minLength": 1}))
    python: str | None = field(
        metadata=spec_key(
            "module:function returning a DataFrame, called with the pipeline context.",
            schema={"type": "string", "pattern": "^[A-Za-z_][A-Za-z0-9_.]*:[A-Za-z_][A-Za-z0-9_]*$"},
        )
    )
    cluster_by: tuple[str, ...] = field(default=(), metadata=spec_key())
    description: str = field(default="", metadata=spec_key())


@dataclass(frozen=True)
class Calendar:
    """The days dim_date may cover; fact dates outside them get the unknown date (-1)."""

    first: date = field(
        metadata=spec_key("First day, e.g. 2020-01-01.", yaml="from", schema={}, required=True)
    )
    last: date = field(metadata=spec_key("Last day, e.g. 2035-12-31.", yaml="to", schema={}, required=True))


@dataclass(frozen=True)
class Gold:
    """The star schema: dimensions, facts, a date dimension, aggregates."""

    dimensions: tuple[Dimension, ...] = field(default=(), metadata=spec_key(schema=mapping_of("dimension")))
    facts: tuple[Fact, ...] = field(default=(), metadata=spec_key(schema=mapping_of("fact")))
    date_dimension: bool = field(
        default=False,
        metadata=spec_key("Build dim_date over the facts' date range (default true when there are facts)."),
    )
    aggregates: tuple[CustomTable, ...] = field(
        default=(),
        metadata=spec_key(
            schema=mapping_of(
                "custom_table",
                "agg_<name> materialized views: SQL over gold tables named in braces, e.g. {fact_sales}.",
            )
        ),
    )
    calendar: Calendar | None = field(
        default=None,
        metadata=spec_key(
            "The days dim_date may cover (YYYY-MM-DD). Fact dates outside get date_key -1, the unknown "
            "date, so a sentinel such as 9999-12-31 cannot inflate dim_date."
        ),
    )


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
