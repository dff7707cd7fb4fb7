"""Are the expected tables there, and can the monitor's identity read them?"""

from __future__ import annotations

from dataclasses import dataclass, field

from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import NotFound

from medallion.monitor.api import call
from medallion.monitor.warehouse import SqlError, Warehouse, object_name


@dataclass
class TableCheck:
    """Tables found and the read error of each unreadable one."""

    present: list[str] = field(default_factory=list)
    unreadable: dict[str, str] = field(default_factory=dict)


def check_tables(
    client: WorkspaceClient, warehouse: Warehouse, catalog: str, schema: str, tables: list[str]
) -> TableCheck:
    """Unity Catalog says whether each table exists; `SELECT * ... LIMIT 0` whether it reads."""
    check = TableCheck()
    for table in tables:
        reference = object_name(catalog, schema, table)
        try:
            name = f"{catalog}.{schema}.{table}"
            call(client, f"GET /api/2.1/unity-catalog/tables/{name}", client.tables.get, name)
        except NotFound:
            continue
        check.present.append(table)
        try:
            warehouse.query(f"SELECT * FROM {reference} LIMIT 0")
        except SqlError as error:
            check.unreadable[table] = error.message
    return check
