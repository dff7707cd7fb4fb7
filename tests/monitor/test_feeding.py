"""Feeding the fake from outside (what the workspace emulator does with a real local run):
an update by id, its flows, tables with rows, raw event-log rows; the monitor judges them."""

from __future__ import annotations

from pathlib import Path

from tests.monitor.conftest import monitor
from tests.support.fake_databricks import Error, FakeServer, FakeWorkspace, Flow
from tests.support.fake_event_log import event_row, flow_progress_details

UPDATE_ID = "0284dc36-1b7e-4c0a-9f61-2d5a8e4b7c10"


def judge(workspace: FakeWorkspace, tmp_path: Path) -> tuple[int, dict]:
    code, report = monitor(
        tmp_path,
        "--pipeline-id",
        workspace.pipeline_id,
        "--warehouse-id",
        "wh-1",
        "--update-id",
        UPDATE_ID,
        "--poll-interval",
        "1",
    )
    assert report is not None
    return code, report


def test_a_fed_update_is_judged_on_its_own_flows_tables_and_events(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    workspace.output_rows, workspace.expectations = {}, []
    update = workspace.add_update("API_CALL", ["RUNNING"], update_id=UPDATE_ID, start_tick=1)
    update.states = ["RUNNING", "COMPLETED"]  # the run ended: the emulator publishes its outcome
    update.flows = [Flow("bronze_orders", 317), Flow("quarantine_orders", 6), Flow("silver_orders", 308)]
    update.flows.append(Flow("silver_orders_history", 311, [("range_quantity", 309, 2)]))
    workspace.add_table("silver_orders", [{"order_id": "o1", "customer_id": "c9", "product_id": "p1"}])
    workspace.add_table("silver_customers", [{"customer_id": "c1"}])
    workspace.add_table("silver_products", [{"product_id": "p1"}])
    workspace.log_event(
        event_row(
            event_id="late-flow",
            pipeline_id=workspace.pipeline_id,
            pipeline_name=workspace.pipeline_name,
            update_id=UPDATE_ID,
            timestamp_ms=update.creation_time + 5_000,
            event_type="flow_progress",
            message="Flow 'fact_sales' has COMPLETED.",
            details=flow_progress_details(308, []),
            dataset="fact_sales",
        )
    )
    code, report = judge(workspace, tmp_path)
    assert report["update_ids"] == [UPDATE_ID]
    assert report["tables"]["bronze_orders"]["rows"] == 317 and report["tables"]["fact_sales"]["rows"] == 308
    assert {
        "table": "silver_orders_history",
        "rule": "range_quantity",
        "action": "drop",
        "passed": 309,
        "failed": 2,
    } in (report["rules"])
    orphans = {o["columns"][0]: (o["checked"], o["orphans"]) for o in report["orphans"]}
    assert orphans == {"customer_id": (1, 1), "product_id": (1, 0)}
    failed = [c["name"] for c in report["criteria"] if not c["ok"]]
    assert code == 1 and "orphans silver_orders.customer_id -> silver_customers" in failed


def test_a_fed_error_and_an_unreadable_event_log_are_diagnosed(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    denied = (
        "[INSUFFICIENT_PERMISSIONS] Insufficient privileges: User does not have SELECT on Table "
        "'main.retail.retail_pipeline_event_log'. SQLSTATE: 42501"
    )
    workspace.statement_errors = [(r"`retail_pipeline_event_log`", denied)]
    missing = Error("[TABLE_OR_VIEW_NOT_FOUND] The table or view `main`.`raw`.`orders` cannot be found.")
    workspace.add_update("API_CALL", ["RUNNING", "FAILED"], [missing], start_tick=1, update_id=UPDATE_ID)
    code, report = judge(workspace, tmp_path)
    assert code == 1 and report["status"] == "FAILED"
    readable = next(c for c in report["criteria"] if c["name"] == "quality figures readable")
    assert not readable["ok"] and "INSUFFICIENT_PERMISSIONS" in readable["detail"]
    causes = [d["cause"] for d in report["diagnoses"]]
    assert "table_or_view_not_found" in causes and "permission_denied" in causes


def test_the_event_log_is_read_where_the_pipeline_publishes_it(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    workspace.event_log_name = "dev_retail_event_log"
    workspace.add_update("API_CALL", ["RUNNING", "COMPLETED"], start_tick=1, update_id=UPDATE_ID)
    code, report = judge(workspace, tmp_path)
    assert code == 0, report
    assert report["tables"]["bronze_orders"]["rows"] == 1000
    quality_sql = [s for s, _ in workspace.statements if "flow_progress" in s]
    assert len(quality_sql) == 2 and all("`main`.`retail`.`dev_retail_event_log`" in s for s in quality_sql)
