"""A test-only oracle: what bronze, silver and gold must hold, computed with DuckDB from the RAW files.

It never imports the pipeline's code. What depends on the drafted spec (which columns are
required, their types, keys, measures, dimension roles) is passed in as plain data read from
the spec's YAML; every figure is computed here, from the files, by SQL of our own:

- bronze = every record of every file (CSV parsed as RFC 4180 with a header, Parquet as is);
- history = records whose required columns (the drop rules' not_null columns) cast to their
  type; quarantine = the rest;
- silver = the latest record per key (by the sequence column) among the history rows whose
  key is set (a row with a NULL key part stays in the history only);
- a fact = its silver rows; each measure's total over them, exact; orphans per dimension role =
  fact rows whose foreign key is NULL or is no key of the dimension's silver table.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb

SCALAR_TYPES = {
    "string": "VARCHAR",
    "int": "INTEGER",
    "bigint": "BIGINT",
    "smallint": "SMALLINT",
    "tinyint": "TINYINT",
    "boolean": "BOOLEAN",
    "double": "DOUBLE",
    "float": "FLOAT",
    "date": "DATE",
    "timestamp": "TIMESTAMP",
    "timestamp_ntz": "TIMESTAMP",
}
DECIMAL = re.compile(r"^decimal\((\d+),\s*(\d+)\)$")


def duck_type(spark_type: str) -> str:
    """The DuckDB type with the same values as a Spark SQL type name."""
    decimal = DECIMAL.match(spark_type.strip().lower())
    if decimal:
        return f"DECIMAL({decimal.group(1)},{decimal.group(2)})"
    return SCALAR_TYPES[spark_type.strip().lower()]


def ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass(frozen=True)
class TableRules:
    """What the spec says about one source table, as plain data."""

    name: str
    types: Mapping[str, str]
    """Column -> Spark type, for every column the oracle needs."""
    key: tuple[str, ...]
    sequence_by: str | None
    required: tuple[str, ...]
    """Columns of the drop rules (not_null): a row with one of them NULL or unreadable is quarantined."""
    read_as: Mapping[str, str] = field(default_factory=dict)
    """Spec column -> its name in the files, where the spec renames it (source_name)."""


@dataclass(frozen=True)
class FactRules:
    """A fact as the spec declares it: its source, measures (name -> column) and dimension roles."""

    name: str
    source: str
    measures: Mapping[str, str]
    roles: Mapping[str, tuple[str, tuple[str, ...]]] = field(default_factory=dict)
    """role -> (the dimension's source table, the fact's foreign key columns)."""


@dataclass(frozen=True)
class TableFigures:
    bronze: int
    history: int
    quarantine: int
    silver: int


@dataclass(frozen=True)
class FactFigures:
    rows: int
    totals: dict[str, Decimal | None]
    orphans: dict[str, int]


class Oracle:
    """Figures from the raw files under `root` (one folder per table, CSV or Parquet files)."""

    def __init__(self, root: Path, rules: Mapping[str, TableRules]):
        self.root = root
        self.rules = dict(rules)
        self.db = duckdb.connect()
        self.db.execute("SET threads = 2")
        self._views: set[str] = set()

    def close(self) -> None:
        self.db.close()

    def files(self, table: str) -> list[Path]:
        return sorted(p for p in (self.root / table).iterdir() if p.suffix in (".csv", ".parquet"))

    def raw_sql(self, table: str) -> str:
        """Every record of the table: one read per file (each CSV file sniffs its own line ends)."""
        reads = []
        for path in self.files(table):
            quoted = "'" + str(path).replace("'", "''") + "'"
            if path.suffix == ".csv":
                reads.append(
                    f"SELECT * FROM read_csv({quoted}, header = true, all_varchar = true, delim = ',', "
                    "quote = '\"', escape = '\"', auto_detect = false, "
                    f"columns = {self._csv_columns(path)})"
                )
            else:
                reads.append(f"SELECT * FROM read_parquet({quoted})")
        return " UNION ALL BY NAME ".join(reads)

    @staticmethod
    def _csv_columns(path: Path) -> str:
        with path.open(encoding="utf-8", newline="") as handle:
            header = handle.readline().strip("\r\n").split(",")
        return "{" + ", ".join(f"'{name}': 'VARCHAR'" for name in header) + "}"

    def typed(self, table: str, column: str) -> str:
        """Spark's silver typing of one column: text, trimmed, empty as NULL, then a safe cast."""
        rules = self.rules[table]
        spark_type = rules.types[column]
        text = f"NULLIF(TRIM(CAST({ident(rules.read_as.get(column, column))} AS VARCHAR)), '')"
        return f"TRY_CAST({text} AS {duck_type(spark_type)})"

    def _view(self, table: str) -> None:
        """raw_<t>, history_<t> (typed, valid) and silver_<t> (latest per key) as DuckDB views."""
        if table in self._views:
            return
        rules = self.rules[table]
        self.db.execute(f"CREATE TEMP TABLE raw_{table} AS {self.raw_sql(table)}")
        columns = ", ".join(f"{self.typed(table, c)} AS {ident(c)}" for c in rules.types)
        valid = " AND ".join(f"{ident(c)} IS NOT NULL" for c in rules.required) or "TRUE"
        typed = f"SELECT {columns} FROM raw_{table}"
        self.db.execute(f"CREATE TEMP TABLE history_{table} AS SELECT * FROM ({typed}) WHERE {valid}")
        keys = ", ".join(ident(c) for c in rules.key)
        order = f"ORDER BY {ident(rules.sequence_by)} DESC NULLS LAST" if rules.sequence_by else ""
        keyed = " AND ".join(f"{ident(c)} IS NOT NULL" for c in rules.key) or "TRUE"
        self.db.execute(
            f"CREATE TEMP TABLE silver_{table} AS SELECT * FROM history_{table} WHERE {keyed} "
            f"QUALIFY row_number() OVER (PARTITION BY {keys} {order}) = 1"
        )
        self._views.add(table)

    def _count(self, sql: str) -> int:
        row = self.db.execute(sql).fetchone()
        assert row is not None
        return int(row[0])

    def table(self, table: str) -> TableFigures:
        self._view(table)
        bronze = self._count(f"SELECT count(*) FROM raw_{table}")
        history = self._count(f"SELECT count(*) FROM history_{table}")
        silver = self._count(f"SELECT count(*) FROM silver_{table}")
        return TableFigures(bronze, history, bronze - history, silver)

    def fact(self, fact: FactRules) -> FactFigures:
        self._view(fact.source)
        totals: dict[str, Decimal | None] = {}
        for name, column in fact.measures.items():
            value = self.db.execute(f"SELECT sum({ident(column)}) FROM silver_{fact.source}").fetchone()
            totals[name] = None if value is None or value[0] is None else Decimal(str(value[0]))
        orphans = {
            role: self._orphans(fact.source, target, cols) for role, (target, cols) in fact.roles.items()
        }
        rows = self._count(f"SELECT count(*) FROM silver_{fact.source}")
        return FactFigures(rows, totals, orphans)

    def _orphans(self, table: str, target: str, columns: Sequence[str]) -> int:
        """Fact rows whose key into `target` is NULL or names no silver row of it."""
        self._view(target)
        key = self.rules[target].key
        on = " AND ".join(f"f.{ident(c)} = d.{ident(k)}" for c, k in zip(columns, key, strict=True))
        return self._count(
            f"SELECT count(*) FROM silver_{table} f "
            f"WHERE NOT EXISTS (SELECT 1 FROM silver_{target} d WHERE {on})"
        )


def rules_from_spec(spec: Mapping[str, Any]) -> tuple[dict[str, TableRules], list[FactRules]]:
    """Per-table and per-fact rules from a medallion.yml document (a plain dict, read as YAML)."""
    tables: dict[str, TableRules] = {}
    for name, source in spec["sources"].items():
        types = {c: (t if isinstance(t, str) else t["type"]) for c, t in source["columns"].items()}
        read_as = {
            c: t["source_name"]
            for c, t in source["columns"].items()
            if isinstance(t, dict) and "source_name" in t
        }
        required: list[str] = []
        for rule in source.get("expectations", []):
            if rule.get("action") != "drop":
                continue
            if rule.get("use") != "not_null":
                raise AssertionError(f"{name}: the oracle knows drop rules of not_null only, not {rule}")
            required += rule.get("columns") or [rule["column"]]
        tables[name] = TableRules(
            name,
            types,
            tuple(source.get("primary_key", ())),
            source.get("sequence_by"),
            tuple(required),
            read_as,
        )
    gold = spec.get("gold") or {}
    dimensions = {name: d["source"] for name, d in (gold.get("dimensions") or {}).items()}
    facts = []
    for name, fact in (gold.get("facts") or {}).items():
        measures = {}
        for measure, body in fact.get("measures", {}).items():
            expr = body if isinstance(body, str) else body["expr"]
            if expr not in tables[fact["source"]].types:
                raise AssertionError(f"fact {name}: measure {measure} = {expr!r} is not a plain column")
            measures[measure] = expr
        roles = {}
        for role, link in (fact.get("dimensions") or {}).items():
            if isinstance(link, dict):
                roles[role] = (dimensions[link["dimension"]], tuple(link["columns"]))
            else:
                roles[role] = (dimensions[role], tuple(link))
        facts.append(FactRules(name, fact["source"], measures, roles))
    return tables, facts


def reported_table(report: Mapping[str, Any], table: str) -> TableFigures:
    """One source table's figures as a run's report gives them (to compare with Oracle.table)."""
    figures = report["tables"]
    return TableFigures(
        bronze=figures[f"bronze_{table}"]["rows"],
        history=figures[f"silver_{table}_history"]["rows"],
        quarantine=figures[f"quarantine_{table}"]["rows"],
        silver=figures[f"silver_{table}"]["rows"],
    )


def reported_fact(report: Mapping[str, Any], fact: str) -> FactFigures:
    """One fact's figures as a run's report gives them (to compare with Oracle.fact)."""
    got = report["gold"][f"fact_{fact}"]
    totals = {m: (None if v is None else Decimal(v)) for m, v in got["measures"].items()}
    return FactFigures(got["rows"], totals, got["orphans"])
