"""`medallion monitor` against the fake workspace, through the real databricks-sdk."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.monitor.conftest import job_args, monitor, seed_silver
from tests.support.fake_databricks import Error, FakeServer, FakeWorkspace, FastClock, Fault

TRANSIENT = Error(
    "Update 3f1a is FAILED.",
    "com.databricks.pipelines.common.errors.DLTSparkException",
    "[INTERNAL_ERROR] The Spark driver has stopped unexpectedly and is restarting.",
    event_type="update_progress",
)


def test_success_judges_only_the_update_the_job_run_caused(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    old = workspace.add_update("JOB_TASK", ["FAILED"], [Error("[TABLE_OR_VIEW_NOT_FOUND] old failure")])
    run_id = workspace.add_run([("JOB_TASK", ["RUNNING", "COMPLETED"], [])], start_tick=1)
    code, report = monitor(tmp_path, *job_args(workspace, run_id))
    assert code == 0, report
    assert report["verdict"] == "SUCCESS" and report["status"] == "COMPLETED"
    assert old.update_id not in report["update_ids"] and len(report["update_ids"]) == 1
    assert report["tables"]["bronze_orders"] == {"rows": 1000, "layer": "bronze"}
    assert {
        "table": "silver_orders_history",
        "rule": "range_quantity",
        "action": "drop",
        "passed": 990,
        "failed": 10,
    } in report["rules"]
    assert report["diagnoses"] == [] and report["duplicates"] == {}
    quality_sql = [(s, p) for s, p in workspace.statements if "data_quality" in s]
    assert quality_sql and quality_sql[0][1] == {"update_0": report["update_ids"][0]}
    assert "`main`.`retail`.`retail_pipeline_event_log`" in quality_sql[0][0]


def test_waiting_for_resources_then_success_shows_live_status(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    run_id = workspace.add_run(
        [
            (
                "JOB_TASK",
                [
                    "QUEUED",
                    "WAITING_FOR_RESOURCES",
                    "WAITING_FOR_RESOURCES",
                    "INITIALIZING",
                    "SETTING_UP_TABLES",
                    "RUNNING",
                    "COMPLETED",
                ],
                [],
            )
        ]
    )
    code, report = monitor(tmp_path, *job_args(workspace, run_id))
    captured = capsys.readouterr()
    assert code == 0, report
    assert "WAITING_FOR_RESOURCES" in captured.err and "SETTING_UP_TABLES" in captured.err
    assert "Verdict: SUCCESS" in captured.out


def test_retry_on_failure_update_that_succeeds(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    run_id = workspace.add_run(
        [
            ("JOB_TASK", ["RUNNING", "FAILED"], [TRANSIENT]),
            ("RETRY_ON_FAILURE", ["INITIALIZING", "RUNNING", "COMPLETED"], []),
        ]
    )
    code, report = monitor(tmp_path, *job_args(workspace, run_id))
    assert code == 0, report
    assert len(report["update_ids"]) == 2 and report["status"] == "COMPLETED"
    quality_sql = next(p for s, p in workspace.statements if "num_output_rows" in s)
    assert sorted(quality_sql.values()) == sorted(report["update_ids"])


def test_retry_that_fails_again_is_diagnosed(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    run_id = workspace.add_run(
        [
            ("JOB_TASK", ["RUNNING", "FAILED"], [TRANSIENT]),
            ("RETRY_ON_FAILURE", ["RUNNING", "FAILED"], [TRANSIENT]),
        ]
    )
    code, report = monitor(tmp_path, *job_args(workspace, run_id))
    assert code == 1
    assert report["verdict"] == "FAILED" and report["diagnoses"][0]["cause"] == "transient"
    assert report["diagnoses"][0]["automatic_fix"] == "retry"


def test_error_events_are_read_across_pages(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    noise = Error(
        "Flow 'gold_x' has FAILED.", "java.lang.IllegalStateException", "state store checksum mismatch"
    )
    permission = Error(
        "[INSUFFICIENT_PERMISSIONS] Insufficient privileges: User does not have USE SCHEMA on "
        "Schema 'main.retail'. SQLSTATE: 42501",
        dataset="bronze_orders",
    )
    workspace.events_page_size = 2
    run_id = workspace.add_run([("JOB_TASK", ["RUNNING", "FAILED"], [noise, noise, noise, permission])])
    code, report = monitor(tmp_path, *job_args(workspace, run_id))
    assert code == 1
    pages = [query for _, path, query in workspace.requests if path.endswith("/events")]
    assert len(pages) >= 3 and all(set(q) == {"max_results", "page_token"} for q in pages[1:])
    assert [d["cause"] for d in report["diagnoses"]] == ["permission_denied"]
    assert "GRANT USE SCHEMA ON SCHEMA `main`.`retail`" in report["diagnoses"][0]["fix"]


def test_missing_table_fails(server: FakeServer, workspace: FakeWorkspace, tmp_path: Path) -> None:
    del workspace.tables["fact_sales"]
    run_id = workspace.add_run([("JOB_TASK", ["RUNNING", "COMPLETED"], [])])
    code, report = monitor(tmp_path, *job_args(workspace, run_id))
    assert code == 1
    presence = next(c for c in report["criteria"] if c["name"] == "expected tables present")
    assert not presence["ok"] and "fact_sales" in presence["detail"]
    assert "fact_sales" not in report["tables"]


def test_table_present_but_unreadable(server: FakeServer, workspace: FakeWorkspace, tmp_path: Path) -> None:
    workspace.deny_table(
        "silver_orders",
        "[INSUFFICIENT_PERMISSIONS] Insufficient privileges: User does not have "
        "SELECT on Table 'main.retail.silver_orders'. SQLSTATE: 42501",
    )
    run_id = workspace.add_run([("JOB_TASK", ["RUNNING", "COMPLETED"], [])])
    code, report = monitor(tmp_path, *job_args(workspace, run_id))
    assert code == 1
    readable = next(c for c in report["criteria"] if c["name"] == "expected tables readable")
    assert not readable["ok"] and "silver_orders" in readable["detail"]
    diagnosis = report["diagnoses"][0]
    assert diagnosis["cause"] == "permission_denied" and diagnosis["automatic_fix"] == "grant"
    assert "GRANT SELECT ON TABLE `main`.`retail`.`silver_orders`" in diagnosis["fix"]


def test_quality_below_threshold_fails(server: FakeServer, workspace: FakeWorkspace, tmp_path: Path) -> None:
    workspace.output_rows["quarantine_orders"] = 400
    run_id = workspace.add_run([("JOB_TASK", ["RUNNING", "COMPLETED"], [])])
    code, report = monitor(tmp_path, *job_args(workspace, run_id))
    assert code == 1
    failed = [c for c in report["criteria"] if not c["ok"]]
    assert [c["name"] for c in failed] == ["quarantine share of orders"]
    assert "400 of 1,000 (40.0%)" in failed[0]["detail"]


def test_orphans_above_threshold_fail(server: FakeServer, workspace: FakeWorkspace, tmp_path: Path) -> None:
    seed_silver(workspace, orders=1000, orphan_customers=300, null_keys=0)
    run_id = workspace.add_run([("JOB_TASK", ["RUNNING", "COMPLETED"], [])])
    code, report = monitor(tmp_path, *job_args(workspace, run_id))
    assert code == 1
    assert report["orphans"][0] == {
        "table": "silver_orders",
        "columns": ["customer_id"],
        "references": "silver_customers",
        "checked": 1000,
        "orphans": 300,
    }


def test_unpublished_event_log_cannot_pass(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    workspace.publish_event_log = False
    run_id = workspace.add_run([("JOB_TASK", ["RUNNING", "COMPLETED"], [])])
    code, report = monitor(tmp_path, *job_args(workspace, run_id))
    assert code == 1
    assert [c["name"] for c in report["criteria"] if not c["ok"]] == ["event log published"]


def test_429_and_503_are_retried(
    server: FakeServer, workspace: FakeWorkspace, clock: FastClock, tmp_path: Path
) -> None:
    workspace.fail(
        "GET",
        r"/updates$",
        Fault(429, "REQUEST_LIMIT_EXCEEDED", "Too many requests. Please wait a moment and try again.", 7),
    )
    workspace.fail(
        "GET",
        r"^/api/2\.0/pipelines/[^/]+$",
        Fault(503, "TEMPORARILY_UNAVAILABLE", "The service is temporarily unavailable.", 3),
    )
    run_id = workspace.add_run([("JOB_TASK", ["RUNNING", "COMPLETED"], [])])
    code, report = monitor(tmp_path, *job_args(workspace, run_id))
    assert code == 0, report
    assert any(7 <= s < 8 for s in clock.slept) and any(3 <= s < 4 for s in clock.slept)
    assert not workspace.faults


def test_hanging_update_times_out(
    server: FakeServer, workspace: FakeWorkspace, clock: FastClock, tmp_path: Path
) -> None:
    run_id = workspace.add_run([("JOB_TASK", ["RUNNING"], [])])
    args = [*job_args(workspace, run_id)[:-1], "30"]
    code, report = monitor(tmp_path, *args)
    assert code == 3
    assert report["verdict"] == "TIMEOUT" and report["status"] == "RUNNING"
    assert sum(clock.slept) <= 31 and max(clock.slept) <= 4


def test_start_with_selection_judges_the_started_update(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    code, report = monitor(
        tmp_path,
        "--pipeline-id",
        workspace.pipeline_id,
        "--warehouse-id",
        "wh-1234",
        "--start",
        "--full-refresh-selection",
        "silver_orders_history,quarantine_orders",
        "--poll-interval",
        "1",
    )
    assert code == 0, report
    started = next(body for kind, _, body in workspace.requests if kind == "START")
    assert started["full_refresh_selection"] == ["silver_orders_history", "quarantine_orders"]
    assert started["cause"] == "API_CALL"


def test_watch_latest_follows_the_retry_chain(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    workspace.add_run(
        [("JOB_TASK", ["FAILED"], [TRANSIENT]), ("RETRY_ON_FAILURE", ["RUNNING", "COMPLETED"], [])]
    )
    code, report = monitor(
        tmp_path,
        "--pipeline-id",
        workspace.pipeline_id,
        "--warehouse-id",
        "wh-1234",
        "--watch-latest",
        "--poll-interval",
        "1",
    )
    assert code == 0, report
    assert len(report["update_ids"]) == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--pipeline-id", "no-such-pipeline", "--warehouse-id", "wh", "--watch-latest"], "was not found"),
        (["--pipeline-id", "x", "--watch-latest"], "--warehouse-id"),
        (["--warehouse-id", "wh", "--watch-latest"], "--pipeline-id"),
    ],
)
def test_configuration_errors_exit_2(
    server: FakeServer, tmp_path: Path, capsys: pytest.CaptureFixture, args: list[str], message: str
) -> None:
    code, report = monitor(tmp_path, *args)
    assert code == 2 and report == {}  # no report written
    assert message in capsys.readouterr().err


def test_bad_token_exits_2(
    server: FakeServer,
    workspace: FakeWorkspace,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    monkeypatch.setenv("DATABRICKS_TOKEN", "dapi-wrong")
    code, _ = monitor(
        tmp_path, "--pipeline-id", workspace.pipeline_id, "--warehouse-id", "wh", "--watch-latest"
    )
    assert code == 2
    assert "Invalid access token" in capsys.readouterr().err
