"""Figures the data-test notebooks (tests/nutter) assert on, computed with plain Spark SQL.

Kept free of nutter so the same functions run in the workspace (after the pipeline) and
locally against the tables `medallion run-local` leaves behind.
"""

from __future__ import annotations

from typing import Any

from medallion import naming, rules
from medallion.spec.model import SourceTable, Spec
from medallion.sql import literal, quote_identifier
from medallion.vocabulary import ERRORS_COLUMN


def qualified(catalog: str, schema: str, table: str) -> str:
    """`catalog`.`schema`.`table`, or `schema`.`table` when there is no catalog (local)."""
    parts = [p for p in (catalog, schema, table) if p]
    return ".".join(quote_identifier(p) for p in parts)


def row_count(spark: Any, name: str) -> int:
    """COUNT(*) of a table, as a Python int."""
    return int(spark.sql(f"SELECT COUNT(*) AS n FROM {name}").collect()[0]["n"])


def missing(spark: Any, names: dict[str, str]) -> list[str]:
    """Short names (keys) whose qualified table (value) cannot be read."""
    absent = []
    for short, name in names.items():
        try:
            spark.sql(f"SELECT * FROM {name} LIMIT 0").collect()
        except Exception:  # AnalysisException differs between classic and Connect sessions
            absent.append(short)
    return absent


def layer_tables(spec: Spec, catalog: str, schema: str, *layers: str) -> dict[str, str]:
    """Expected tables of the given layers: short name -> qualified name."""
    return {
        table: qualified(catalog, schema, table)
        for table, layer in naming.expected_tables(spec).items()
        if layer in layers
    }


def not_ingested(spark: Any, spec: Spec, catalog: str, schema: str) -> list[str]:
    """The sources whose bronze table is empty: no rows ingested yet."""
    tables = layer_tables(spec, catalog, schema, "bronze")
    return [short for short, name in tables.items() if row_count(spark, name) == 0]


def conservation(spark: Any, table: SourceTable, catalog: str, schema: str) -> tuple[int, int, int]:
    """(bronze, history, quarantine) row counts: every bronze row lands in exactly one."""
    return (
        row_count(spark, qualified(catalog, schema, naming.bronze_table(table.name))),
        row_count(spark, qualified(catalog, schema, naming.history_table(table.name))),
        row_count(spark, qualified(catalog, schema, naming.quarantine_table(table.name))),
    )


def drop_rule_violations(spark: Any, table: SourceTable, catalog: str, schema: str) -> int:
    """History rows that fail a drop rule (must be 0: those rows belong in the quarantine)."""
    drop_rules = table.rules_with_action("drop")
    if not drop_rules:
        return 0
    history = qualified(catalog, schema, naming.history_table(table.name))
    where = rules.any_fails(drop_rules)
    return int(spark.sql(f"SELECT COUNT(*) AS n FROM {history} WHERE {where}").collect()[0]["n"])


def unexplained_quarantine(spark: Any, table: SourceTable, catalog: str, schema: str) -> int:
    """Quarantined rows with no `_errors`, or naming a rule the table does not have."""
    quarantine = qualified(catalog, schema, naming.quarantine_table(table.name))
    known = ", ".join(literal(e.name) for e in table.row_rules) or "''"
    errors = ERRORS_COLUMN
    query = (
        f"SELECT COUNT(*) AS n FROM {quarantine} WHERE {errors} IS NULL OR size({errors}) = 0 "
        f"OR size(filter({errors}, e -> NOT array_contains(array({known}), e))) > 0"
    )
    return int(spark.sql(query).collect()[0]["n"])


def duplicate_keys(spark: Any, table: SourceTable, catalog: str, schema: str) -> int:
    """Keys that appear more than once in silver_<t> (0 when the table has no primary key)."""
    if not table.primary_key:
        return 0
    silver = qualified(catalog, schema, naming.silver_table(table.name))
    keys = ", ".join(quote_identifier(k) for k in table.primary_key)
    query = f"SELECT COUNT(*) AS n FROM (SELECT {keys} FROM {silver} GROUP BY {keys} HAVING COUNT(*) > 1)"
    return int(spark.sql(query).collect()[0]["n"])
