"""Editing medallion.yml between two runs on a warm server: each kind of edit that changes a
table's columns (a type, a new column, a new role or measure of a fact) reruns green with no
flag, rebuilding exactly the tables whose columns changed. Before, a type change failed with
CANNOT_MERGE_INCOMPATIBLE_DATA_TYPE and a new fact column with Hive's "Unable to alter table",
also under --full-refresh, until the local metastore was deleted by hand."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from tests.support.connect_server import ConnectServer
from tests.support.local_run import copy_project, run_local

pytestmark = pytest.mark.pipeline


def edit(project: Path, old: str, new: str) -> None:
    spec = project / "medallion.yml"
    text = spec.read_text()
    assert text.count(old) == 1, old
    spec.write_text(text.replace(old, new))


def columns(server: ConnectServer, database: str, table: str) -> dict[str, str]:
    files = sorted(server.table_dir(database, table).rglob("*.parquet"))
    assert files, table
    schema = pq.read_schema(files[-1])
    return {field.name: str(field.type) for field in schema}


NEW_COLUMN = "      updated_at: timestamp\n      loyalty_tier: string\n    primary_key: [customer_id]"
ROLE = "        billed_to: {dimension: customer, columns: [customer_id]}\n"
EDITS: list[tuple[str, Callable[[Path], None], str, str, str]] = [
    (
        "a column's type",
        lambda p: edit(p, "      quantity: int\n", "      quantity: bigint\n"),
        "silver_orders",
        "quantity",
        "int64",
    ),
    (
        "a new source column",
        lambda p: edit(p, "      updated_at: timestamp\n    primary_key: [customer_id]", NEW_COLUMN),
        "silver_customers",
        "loyalty_tier",
        "string",
    ),
    (
        "a new role of a dimension in the fact",
        lambda p: edit(
            p,
            "        product: [product_id]\n",
            "        product: [product_id]\n" + ROLE,
        ),
        "fact_sales",
        "billed_to_key",
        "int64",
    ),
]


def test_every_kind_of_column_edit_reruns_green_on_a_warm_server(
    rendered_retail: Path, tmp_path: Path, shared_server: ConnectServer
) -> None:
    project = copy_project(rendered_retail, tmp_path / "project")
    first = run_local(project, server=shared_server)
    assert first.report["status"] == "COMPLETED", first.output[-3000:]
    database = first.report["server"]["database"]
    for what, change, table, column, arrow_type in EDITS:
        change(project)
        run = run_local(project, server=shared_server)
        assert run.report["status"] == "COMPLETED", (what, run.output[-3000:])
        assert table in run.report.get("rebuilt", []), (what, run.report.get("rebuilt"))
        assert "changed the columns of" in run.output, what
        found = columns(shared_server, database, table)
        assert found.get(column, "").startswith(arrow_type), (what, found)
    # Nothing changed: nothing rebuilt, an incremental run as before.
    again = run_local(project, server=shared_server)
    assert again.report["status"] == "COMPLETED" and "rebuilt" not in again.report
