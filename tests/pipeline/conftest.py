"""Fixtures of the bronze/silver tests: the rendered retail project and its two local runs (shared
by the whole session, on the session's shared Spark Connect server).

`run_local`, `LocalRun`, `copy_project` and `warehouse_table` come from tests/support/local_run.py
(the one helper that runs `medallion run-local` in tests); tests/scale imports them from here."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.pipeline.specs import without_gold
from tests.support.connect_server import ConnectServer
from tests.support.local_run import LocalRun, copy_project, run_local, warehouse_table

__all__ = ["LocalRun", "copy_project", "run_local", "warehouse_table"]


@pytest.fixture(scope="session")
def rendered_retail(default_project: Path) -> Path:
    """The template rendered with default answers (retail sample, JSON files); read-only."""
    return default_project


@dataclass(frozen=True)
class RetailRuns:
    """The default project run twice: the second time after one new orders file landed."""

    project: Path
    first: LocalRun
    second: LocalRun
    manifest: dict[str, Any]
    new_orders: list[dict[str, Any]]


NEW_ORDERS_FILE = "part-0004.json"


def new_order_lines() -> list[dict[str, Any]]:
    """A fourth orders batch: two new order lines and a status change of an existing line."""
    base = {
        "customer_id": "C000010",
        "product_id": "P00003",
        "order_ts": "2024-03-05 10:00:00",
        "status": "placed",
        "quantity": 2,
        "unit_price": 10.5,
        "discount": 0,
        "updated_at": "2024-03-05 10:00:00",
    }
    return [
        {**base, "order_id": "N0000001", "line_number": 1},
        {**base, "order_id": "N0000001", "line_number": 2, "quantity": 1},
        {
            **base,
            "order_id": "O0000100",
            "line_number": 1,
            "status": "delivered",
            "updated_at": "2024-06-01 00:00:00",
        },
    ]


@pytest.fixture(scope="session")
def retail_runs(
    rendered_retail: Path, tmp_path_factory: pytest.TempPathFactory, shared_server: ConnectServer
) -> RetailRuns:
    """Two runs on the shared server, in the project's database: the second finds the first's
    tables and checkpoints (some bugs of the local engine only show once the tables exist)."""
    project = without_gold(copy_project(rendered_retail, tmp_path_factory.mktemp("retail_runs") / "project"))
    first = run_local(project, server=shared_server)
    assert first.report, first.output
    manifest = json.loads((project / "fixtures" / "sample" / "manifest.json").read_text())
    lines = new_order_lines()
    (project / "fixtures" / "sample" / "orders" / NEW_ORDERS_FILE).write_text(
        "".join(json.dumps(line) + "\n" for line in lines)
    )
    second = run_local(project, server=shared_server)
    assert second.report, second.output
    return RetailRuns(project, first, second, manifest, lines)
