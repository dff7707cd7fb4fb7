"""The monitor's own SQL, parsed and executed for real (no Spark): figures of a retry chain
after an earlier run, a lint of every statement against the documented schemas, and seeded
query bugs that must change the figures or fail the statement."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medallion.monitor import quality
from tests.monitor.conftest import job_args, monitor
from tests.support.fake_databricks import Error, FakeServer, FakeWorkspace, Flow
from tests.support.fake_event_log import DETAILS_SHAPE
from tests.support.warehouse_sql import SqlFailure, lint

EVENT_LOG = "retail_pipeline_event_log"
TRANSIENT = Error(
    "Update is FAILED.",
    "com.databricks.pipelines.common.errors.DLTSparkException",
    "[INTERNAL_ERROR] The Spark driver has stopped unexpectedly and is restarting.",
    event_type="update_progress",
)
# What the judged chain wrote: the failed JOB_TASK update, then its retry (two flows into
# bronze_orders); the earlier run wrote the workspace defaults (bronze_orders 1000, ...).
FAILED_FLOWS = [Flow("bronze_orders", 600), Flow("silver_orders_history", 500, [("range_quantity", 495, 5)])]
RETRY_FLOWS = [
    Flow("bronze_orders", 250),
    Flow("bronze_orders", 150),
    Flow("silver_orders_history", 390, [("range_quantity", 380, 10), ("discount_within_price", 388, 2)]),
    Flow("quarantine_orders", 20),
]
TRUTH = {
    "bronze_orders": 1000,
    "silver_orders_history": 890,
    "quarantine_orders": 20,
    "rules": [("discount_within_price", 388, 2), ("range_quantity", 875, 15)],
    "orphans": [("customer_id", 980, 4), ("product_id", 980, 0)],
}


def judge_chain(workspace: FakeWorkspace, tmp_path: Path) -> dict[str, Any]:
    """An earlier completed run, then a run whose update failed and was retried; the report."""
    workspace.add_run([("JOB_TASK", ["RUNNING", "COMPLETED"], [])])
    chain = [
        ("JOB_TASK", ["RUNNING", "FAILED"], [TRANSIENT]),
        ("RETRY_ON_FAILURE", ["RUNNING", "COMPLETED"], []),
    ]
    run_id = workspace.add_run(chain, start_tick=3)
    workspace.updates[-2].flows, workspace.updates[-1].flows = FAILED_FLOWS, RETRY_FLOWS
    _, report = monitor(tmp_path, *job_args(workspace, run_id))
    assert report is not None
    return report


def figures(report: dict[str, Any]) -> dict[str, Any]:
    """The figures the monitor derived from its SQL."""
    rows = {t: report["tables"].get(t, {}).get("rows") for t in ("bronze_orders", "silver_orders_history")}
    rows["quarantine_orders"] = report["tables"].get("quarantine_orders", {}).get("rows")
    orders = [r for r in report["rules"] if r["table"] == "silver_orders_history"]
    rules = sorted((r["rule"], r["passed"], r["failed"]) for r in orders)
    orphans = [(o["columns"][0], o["checked"], o["orphans"]) for o in report.get("orphans", [])]
    return {**rows, "rules": rules, "orphans": orphans}


def test_figures_of_a_retry_chain_come_from_its_own_updates(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    report = judge_chain(workspace, tmp_path)
    assert len(report["update_ids"]) == 2
    assert figures(report) == TRUTH


def test_every_statement_lints_clean_against_the_documented_schemas(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    report = judge_chain(workspace, tmp_path)
    schemas, _ = workspace.warehouse_tables()
    sent = workspace.statements
    kinds = {
        "rows": [s for s, _ in sent if "num_output_rows" in s],
        "expectations": [s for s, _ in sent if "data_quality" in s],
        "orphans": [s for s, _ in sent if "COUNT_IF" in s],
        "readable": [s for s, _ in sent if s.endswith("LIMIT 0")],
    }
    counts = {kind: len(found) for kind, found in kinds.items()}
    assert counts == {"rows": 1, "expectations": 1, "orphans": 2, "readable": 18}
    for sql, params in sent:
        bound = [{"name": k, "value": v} for k, v in params.items()]
        assert lint(sql, bound, schemas, {"details": DETAILS_SHAPE}) == [], sql
    quality_params = next(p for s, p in sent if "data_quality" in s)
    assert sorted(quality_params.values()) == sorted(report["update_ids"])


MUTATIONS = {
    "ignores the update id": ("ROWS_SQL", " AND origin.update_id IN ({updates})", ""),
    "filters on the first update id only": ("ROWS_SQL", "IN ({updates})", "IN (:update_0)"),
    "filters on the wrong origin field": ("ROWS_SQL", "origin.update_id", "origin.request_id"),
    "reads a wrong JSON path": ("ROWS_SQL", "metrics:num_output_rows", "metrics:num_output_row"),
    "takes MAX instead of SUM": ("ROWS_SQL", "SUM(CAST(", "MAX(CAST("),
    "reads the wrong event type": ("ROWS_SQL", "'flow_progress'", "'update_progress'"),
    "counts passed as failed": ("EXPECTATIONS_SQL", "SUM(e.failed_records)", "SUM(e.passed_records)"),
    "groups expectations by rule only": ("EXPECTATIONS_SQL", "GROUP BY e.dataset, e.name", "GROUP BY e.name"),
    "uses a marker it never binds": ("EXPECTATIONS_SQL", "IN ({updates})", "= :id"),
    "reads a field from_json does not declare": ("EXPECTATIONS_SQL", "e.name AS rule", "e.rule AS rule"),
    "counts NULL foreign keys as checked": ("ORPHANS_SQL", "WHERE {not_null}", "WHERE TRUE"),
    "joins on the wrong side": ("ORPHANS_SQL", "COUNT_IF(r.{key0} IS NULL)", "COUNT_IF(c.{key0} IS NULL)"),
}


@pytest.mark.parametrize("bug", list(MUTATIONS))
def test_a_seeded_query_bug_is_caught(
    bug: str, server: FakeServer, workspace: FakeWorkspace, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    name, old, new = MUTATIONS[bug]
    original = getattr(quality, name)
    assert old in original, f"the mutation no longer applies to quality.{name}"
    monkeypatch.setattr(quality, name, original.replace(old, new))
    report = judge_chain(workspace, tmp_path)
    failed = [c["name"] for c in report["criteria"] if not c["ok"]]
    assert figures(report) != TRUTH or "quality figures readable" in failed


@pytest.mark.parametrize(
    ("bug", "problem"),
    [
        ("filters on the first update id only", "parameter :update_1 is sent but not used"),
        ("reads a wrong JSON path", "details:flow_progress:metrics:num_output_row is not a documented path"),
    ],
)
def test_the_lint_names_bugs_databricks_would_run_silently(
    bug: str, problem: str, workspace: FakeWorkspace
) -> None:
    name, old, new = MUTATIONS[bug]
    template = getattr(quality, name).replace(old, new)
    sql = template.format(event_log=f"`main`.`retail`.`{EVENT_LOG}`", updates=":update_0, :update_1")
    schemas, _ = workspace.warehouse_tables()
    params = [{"name": "update_0", "value": "a"}, {"name": "update_1", "value": "b"}]
    assert problem in lint(sql, params, schemas, {"details": DETAILS_SHAPE})


@pytest.mark.parametrize(
    ("sql", "error_class"),
    [
        (f"SELECT origin.updateid FROM `main`.`retail`.`{EVENT_LOG}`", "FIELD_NOT_FOUND"),
        (f"SELECT eventtype FROM `main`.`retail`.`{EVENT_LOG}`", "UNRESOLVED_COLUMN"),
        ("SELECT 1 FROM `main`.`retail`.`no_such_table`", "TABLE_OR_VIEW_NOT_FOUND"),
        (f"SELECT id FROM `main`.`retail`.`{EVENT_LOG}` WHERE id = :missing", "UNBOUND_SQL_PARAMETER"),
        (f"SELECT id FROM `main`.`retail`.`{EVENT_LOG}` WHERE id = ?", "UNBOUND_SQL_PARAMETER"),
        ("SELEC id FROM x", "PARSE_SYNTAX_ERROR"),
    ],
)
def test_the_warehouse_refuses_what_databricks_refuses(
    workspace: FakeWorkspace, sql: str, error_class: str
) -> None:
    with pytest.raises(SqlFailure) as refused:
        workspace.answer_sql(sql, [])
    assert refused.value.error_class == error_class
