"""The monitor names the spec key behind a Spark error an update logged (spec.trace)."""

from __future__ import annotations

from pathlib import Path

from tests.monitor.conftest import job_args, monitor
from tests.support.fake_databricks import Error, FakeServer, FakeWorkspace

DIVIDE = Error(
    "[DIVIDE_BY_ZERO] Division by zero. Use `try_divide` to tolerate divisor being 0. SQLSTATE: 22012\n"
    "== SQL (line 1, position 1) ==\ndiscount <= quantity * unit_price\n^^^^^^^^",
    "org.apache.spark.SparkArithmeticException",
    dataset="silver_orders_history",
)


def test_a_rule_that_fails_at_run_time_is_named_in_the_diagnosis(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    run_id = workspace.add_run([("JOB_TASK", ["RUNNING", "FAILED"], [DIVIDE])])
    code, report = monitor(tmp_path, *job_args(workspace, run_id))
    assert code == 1 and report is not None
    evidence = report["diagnoses"][0]["evidence"]
    assert any("sources.orders.expectations" in line and "discount_within_price" in line for line in evidence)


def test_errors_no_spec_key_explains_are_left_as_they_are(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    other = Error("[INTERNAL_ERROR] The Spark driver has stopped unexpectedly and is restarting.")
    run_id = workspace.add_run([("JOB_TASK", ["RUNNING", "FAILED"], [other])])
    code, report = monitor(tmp_path, *job_args(workspace, run_id))
    assert code == 1 and report is not None
    assert not any("comes from" in line for d in report["diagnoses"] for line in d["evidence"])
