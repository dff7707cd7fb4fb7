"""Fixtures: the fake workspace over HTTP, the real SDK pointed at it, a fast clock."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from medallion import naming
from medallion.cli import main
from medallion.monitor import connect
from medallion.spec import load_spec
from tests.support.fake_databricks import TOKEN, FakeServer, FakeWorkspace, FastClock

SPEC = Path(__file__).with_name("fixtures") / "medallion.yml"


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> FastClock:
    fast = FastClock()
    monkeypatch.setattr(connect, "make_clock", lambda: fast)
    return fast


@pytest.fixture
def workspace() -> FakeWorkspace:
    """A healthy pipeline's workspace: every table readable, quality within thresholds."""
    ws = FakeWorkspace()
    spec = load_spec(SPEC)
    for table in naming.expected_tables(spec):
        ws.add_table(table, [], {"id": "STRING"})
    for source, rows in {"customers": 200, "products": 50, "orders": 1000}.items():
        ws.output_rows[naming.bronze_table(source)] = rows
        ws.output_rows[naming.quarantine_table(source)] = rows // 50
        ws.output_rows[naming.silver_table(source)] = rows - rows // 50
    ws.output_rows["fact_sales"] = 980
    ws.expectations = [
        ("main.retail.silver_orders_history", "range_quantity", 990, 10),
        ("main.retail.silver_orders_history", "discount_within_price", 995, 5),
        ("main.retail.silver_customers_history", "valid_email_email", 190, 10),
    ]
    seed_silver(ws, orders=980, orphan_customers=4)
    return ws


def seed_silver(
    ws: FakeWorkspace, orders: int, orphan_customers: int = 0, orphan_products: int = 0, null_keys: int = 3
) -> None:
    """silver_customers (196), silver_products (49) and `orders` silver_orders rows with keys, of
    which the first `orphan_*` point at no parent row; `null_keys` more rows have NULL keys."""
    ws.add_table("silver_customers", [{"customer_id": f"c{i}", "name": f"Customer {i}"} for i in range(196)])
    ws.add_table("silver_products", [{"product_id": f"p{i}", "category": "toys"} for i in range(49)])
    lines = [
        {
            "order_id": f"o{i}",
            "line_number": 1,
            "customer_id": f"missing-c{i}" if i < orphan_customers else f"c{i % 196}",
            "product_id": f"missing-p{i}" if i < orphan_products else f"p{i % 49}",
        }
        for i in range(orders)
    ]
    no_keys = {"line_number": 1, "customer_id": None, "product_id": None}
    lines += [{"order_id": f"n{i}", **no_keys} for i in range(null_keys)]
    ws.add_table(
        "silver_orders",
        lines,
        {"order_id": "STRING", "line_number": "INT", "customer_id": "STRING", "product_id": "STRING"},
    )


@pytest.fixture
def server(
    workspace: FakeWorkspace, clock: FastClock, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[FakeServer]:
    with FakeServer(workspace) as running:
        for name in (
            "DATABRICKS_CLIENT_ID",
            "DATABRICKS_CLIENT_SECRET",
            "DATABRICKS_WAREHOUSE_ID",
            "DATABRICKS_CONFIG_PROFILE",
        ):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("DATABRICKS_HOST", running.url)
        monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
        monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "no.databrickscfg"))
        yield running


def monitor(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    """Run `medallion monitor` in-process; the exit code and the JSON report ({} when none was
    written)."""
    out = tmp_path / "report.json"
    code = main(["monitor", "--spec", str(SPEC), "--report-json", str(out), *args])
    return code, json.loads(out.read_text()) if out.exists() else {}


def job_args(workspace: FakeWorkspace, run_id: int) -> list[str]:
    """The arguments the job's monitor task passes."""
    return [
        "--pipeline-id",
        workspace.pipeline_id,
        "--job-run-id",
        str(run_id),
        "--warehouse-id",
        "wh-1234",
        "--poll-interval",
        "1",
        "--max-poll-interval",
        "4",
        "--timeout",
        "120",
    ]
