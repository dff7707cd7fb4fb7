"""The `schema=` DDL of gold tables: typed columns with COMMENTs, and on Databricks
informational PRIMARY KEY / FOREIGN KEY constraints (the local engine gets no constraints)."""

from __future__ import annotations

from collections.abc import Sequence

from medallion import naming
from medallion.gold.columns import DATE_KEY, GoldColumn, key_column
from medallion.spec.model import Fact
from medallion.sql import literal, quote_identifier

MAX_CLUSTER_COLUMNS = 4  # Databricks liquid clustering takes at most four keys


def column_ddl(column: GoldColumn) -> str:
    """`name` TYPE [NOT NULL] COMMENT '...'."""
    not_null = "" if column.nullable else " NOT NULL"
    return (
        f"{quote_identifier(column.name)} {column.type.upper()}{not_null} COMMENT {literal(column.comment)}"
    )


def primary_key(table: str, column: str) -> str:
    return f"CONSTRAINT {quote_identifier(f'pk_{table}')} PRIMARY KEY ({quote_identifier(column)})"


def foreign_key(table: str, column: str, target: str, target_column: str | None = None) -> str:
    """FOREIGN KEY (column) REFERENCES target (target_column, by default the same name)."""
    name = quote_identifier(f"fk_{table}_{column}")
    own, ref = quote_identifier(column), quote_identifier(target_column or column)
    return f"CONSTRAINT {name} FOREIGN KEY ({own}) REFERENCES {quote_identifier(target)} ({ref})"


def schema_ddl(columns: Sequence[GoldColumn], constraints: Sequence[str] = ()) -> str:
    """The DDL string passed as `schema=`."""
    return ", ".join([*(column_ddl(c) for c in columns), *constraints])


def fact_constraints(fact: Fact, with_date: bool) -> list[str]:
    """One FOREIGN KEY per dimension role (and dim_date) of the fact."""
    table = naming.fact_table(fact.name)
    result = [
        foreign_key(
            table, key_column(link.role), naming.dimension_table(link.dimension), key_column(link.dimension)
        )
        for link in fact.links
    ]
    if with_date and fact.event_time:
        result.append(foreign_key(table, DATE_KEY, naming.DATE_DIMENSION))
    return result


def fact_cluster_by(fact: Fact) -> list[str]:
    """date_key first, then the dimension role keys, at most four columns."""
    columns = ([DATE_KEY] if fact.event_time else []) + [key_column(link.role) for link in fact.links]
    return columns[:MAX_CLUSTER_COLUMNS]
