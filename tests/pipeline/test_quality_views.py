"""quality_metrics, the dashboard's datasets and the alerts' queries on a real local run.

The default project runs once on the shared server. quality_metrics (computed by the pipeline)
must hold the figures the run report computed on its own (by reading the tables). Then every
dashboard dataset and alert query goes through the fake warehouse's Databricks-SQL front end
(parse, resolve) and runs on Spark over that run's quality_metrics and a synthetic published
event log of the same run (tests/support/fake_databricks.py); each must return the run's figures.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any, cast

import pytest

from medallion import naming
from medallion.gold.quality import COLUMN_TYPES, DEFAULT_HOURS_WITHOUT_NEW_ROWS, SCHEMA, metrics_frame
from medallion.spec import load_spec
from tests.bundle.quality_queries import alert_queries, dataset_sql
from tests.support.connect_server import ConnectServer
from tests.support.fake_databricks import Error, FakeWorkspace, Flow
from tests.support.local_run import LocalRun, copy_project, run_local, warehouse_table
from tests.support.warehouse_spark import SparkEngine
from tests.support.warehouse_sql import in_schema

pytestmark = [pytest.mark.pipeline, pytest.mark.spark]

CATALOG, SCHEMA_NAME, PIPELINE = "main", "medallion", "medallion_pipeline"
VIOLATION = (
    "[EXPECTATION_VIOLATION.VERBOSITY_ALL] Flow 'silver_orders_history' failed to meet the expectation. "
    "Violated expectations: 'positive_quantity'."
)


@dataclass(frozen=True)
class QualityRun:
    project: Path
    run: LocalRun
    metrics: list[dict[str, Any]]


@pytest.fixture(scope="module")
def quality_run(
    default_project: Path, tmp_path_factory: pytest.TempPathFactory, shared_server: ConnectServer, spark: Any
) -> QualityRun:
    project = copy_project(default_project, tmp_path_factory.mktemp("quality") / "project")
    run = run_local(project, server=shared_server)
    assert run.returncode == 0, run.output
    rows = [row.asDict() for row in warehouse_table(spark, run, naming.QUALITY_METRICS).collect()]
    return QualityRun(project, run, rows)


def test_the_query_has_the_declared_schema_nullability_included(quality_run: QualityRun, spark: Any) -> None:
    """The engines refuse a `schema=` whose types or nullability differ from the query's."""
    from pyspark.sql.types import StructType

    spec = load_spec(quality_run.project / "medallion.yml")
    frame = metrics_frame(spec, lambda table: warehouse_table(spark, quality_run.run, table))
    declared = cast(StructType, StructType.fromDDL(SCHEMA))
    shape = [(f.name, f.dataType.simpleString(), f.nullable) for f in frame.schema.fields]
    assert shape == [(f.name, f.dataType.simpleString(), f.nullable) for f in declared.fields]


def metric(rows: list[dict[str, Any]], name: str) -> dict[tuple[str, str | None], dict[str, Any]]:
    return {(r["table_name"], r["item"]): r for r in rows if r["metric"] == name}


def test_quality_metrics_hold_the_figures_the_report_computed(quality_run: QualityRun) -> None:
    report, rows = quality_run.run.report, quality_run.metrics
    shares = metric(rows, "quarantine_share")
    for source, figures in report["conservation"].items():
        row = shares[(naming.quarantine_table(source), None)]
        assert (row["rows"], row["total"]) == (
            figures["quarantine"],
            figures["history"] + figures["quarantine"],
        )
        assert row["value"] == pytest.approx(
            figures["quarantine"] / (figures["history"] + figures["quarantine"])
        )
        assert row["threshold"] == 0.25  # thresholds.max_quarantine_fraction of the default spec
    reasons = metric(rows, "quarantine_reason")
    expected = {(t, r["rule"]): r["rows"] for t, items in report["quarantine_reasons"].items() for r in items}
    assert {key: r["rows"] for key, r in reasons.items()} == expected
    for fact, figures in report["gold"].items():
        orphans = metric(rows, "orphan_share")
        assert {role: orphans[(fact, role)]["rows"] for role in figures["orphans"]} == figures["orphans"]
        assert all(orphans[(fact, role)]["total"] == figures["rows"] for role in figures["orphans"])
        totals = metric(rows, "gold_total")
        for measure, total in figures["measures"].items():
            assert Decimal(str(totals[(fact, measure)]["value"])).quantize(Decimal(total)) == Decimal(total)
    freshness = metric(rows, "freshness")
    for source in report["conservation"]:
        row = freshness[(naming.bronze_table(source), None)]
        assert row["rows"] == report["tables"][naming.bronze_table(source)]["rows"]
        assert row["newest_at"] is not None and row["threshold"] == DEFAULT_HOURS_WITHOUT_NEW_ROWS


def workspace_of(
    quality_run: QualityRun, spark: Any, metrics: list[dict[str, Any]] | None = None
) -> FakeWorkspace:
    """The run's quality_metrics in a fake warehouse, and an event log of two updates: the run
    itself (its flows' rows and rule results), then an update a fail rule stopped."""
    workspace = FakeWorkspace(CATALOG, SCHEMA_NAME, PIPELINE)
    workspace.add_table(naming.QUALITY_METRICS, metrics or quality_run.metrics, dict(COLUMN_TYPES))
    workspace.add_update(
        "JOB_TASK", ["RUNNING", "COMPLETED"], start_tick=1, flows=flows_of(quality_run.run.report)
    )
    stopped = Error(
        VIOLATION, "com.databricks.sql.expectations.ExpectationViolation", VIOLATION, "silver_orders_history"
    )
    workspace.add_update("JOB_TASK", ["RUNNING", "FAILED"], [stopped], start_tick=10, flows=[])
    workspace.tick = 20
    workspace.sql_engine = SparkEngine(spark)
    return workspace


def flows_of(report: dict[str, Any]) -> list[Flow]:
    rules: dict[str, list[tuple[str, int, int]]] = {}
    for rule in report["rules"]:
        rules.setdefault(rule["table"], []).append((rule["rule"], rule["passed"], rule["failed"]))
    return [Flow(name, info["rows"], rules.get(name, [])) for name, info in report["tables"].items()]


def answer(workspace: FakeWorkspace, sql: str) -> list[dict[str, Any]]:
    return workspace.answer_sql(sql, []).records()


def dataset(workspace: FakeWorkspace, project: Path, name: str) -> list[dict[str, Any]]:
    return answer(workspace, in_schema(dataset_sql(project)[name], CATALOG, SCHEMA_NAME))


def test_dashboard_datasets_return_the_runs_figures(quality_run: QualityRun, spark: Any) -> None:
    report, project = quality_run.run.report, quality_run.project
    workspace = workspace_of(quality_run, spark)
    shares = {r["table_name"]: r for r in dataset(workspace, project, "quarantine_now")}
    for source, figures in report["conservation"].items():
        row = shares[naming.quarantine_table(source)]
        checked = figures["history"] + figures["quarantine"]
        assert (row["quarantined_rows"], row["checked_rows"]) == (figures["quarantine"], checked)
        assert float(row["quarantine_share"]) == pytest.approx(figures["quarantine"] / checked)
    reasons = {
        (r["table_name"], r["rule"]): r["quarantined_rows"]
        for r in dataset(workspace, project, "quarantine_reasons")
    }
    assert reasons == {
        (t, r["rule"]): r["rows"] for t, items in report["quarantine_reasons"].items() for r in items
    }
    orphans = {
        (r["table_name"], r["dimension"]): r["orphan_rows"]
        for r in dataset(workspace, project, "orphans_now")
    }
    assert orphans == {(f, role): n for f, g in report["gold"].items() for role, n in g["orphans"].items()}
    totals = {(r["table_name"], r["measure"]): r["total"] for r in dataset(workspace, project, "gold_totals")}
    for fact, figures in report["gold"].items():
        for measure, total in figures["measures"].items():
            assert Decimal(str(totals[(fact, measure)])).quantize(Decimal(total)) == Decimal(total)
    fresh = {r["table_name"]: r for r in dataset(workspace, project, "freshness_now")}
    assert {t: r["bronze_rows"] for t, r in fresh.items()} == {
        naming.bronze_table(s): report["tables"][naming.bronze_table(s)]["rows"]
        for s in report["conservation"]
    }
    assert all(r["stale"] is False and float(r["hours_since_new_rows"]) < 1 for r in fresh.values())


def test_event_log_datasets_follow_the_updates(quality_run: QualityRun, spark: Any) -> None:
    report, project = quality_run.run.report, quality_run.project
    workspace = workspace_of(quality_run, spark)
    updates = dataset(workspace, project, "updates")
    assert [u["state"] for u in updates] == ["COMPLETED", "FAILED"]
    first = updates[0]["update_id"]
    layers = {
        r["layer"]: r["rows_written"]
        for r in dataset(workspace, project, "rows_by_layer")
        if r["update_id"] == first
    }
    expected: dict[str, int] = {}
    names = {"silver_history": "silver history", "quality": "other"}
    for info in report["tables"].values():
        layer = names.get(info["layer"], info["layer"])
        expected[layer] = expected.get(layer, 0) + info["rows"]
    assert layers == expected
    failed = {(r["table_name"], r["rule"]): r["failed"] for r in dataset(workspace, project, "expectations")}
    assert failed == {(r["table"], r["rule"]): r["failed"] for r in report["rules"]}
    by_update = dataset(workspace, project, "quarantine_by_update")
    shares = {r["source"]: r for r in by_update if r["update_id"] == first}
    for source, figures in report["conservation"].items():
        assert shares[source]["quarantined_rows"] == figures["quarantine"]
        assert shares[source]["checked_rows"] == figures["history"] + figures["quarantine"]
    facts = {
        r["table_name"]: r["rows_written"]
        for r in dataset(workspace, project, "fact_rows_by_update")
        if r["update_id"] == first
    }
    assert facts == {fact: figures["rows"] for fact, figures in report["gold"].items()}


def alerts(workspace: FakeWorkspace, project: Path) -> dict[str, int]:
    """What each alert's query returns (the value its evaluation compares with 0)."""
    found = {}
    for key, alert in alert_queries(project, CATALOG, SCHEMA_NAME).items():
        (row,) = answer(workspace, alert.sql)
        found[key.removeprefix(f"{PIPELINE}_")] = int(row[alert.column])
    return found


def test_alerts_stay_quiet_on_a_healthy_run_and_fire_when_a_limit_is_crossed(
    quality_run: QualityRun, spark: Any
) -> None:
    report, project = quality_run.run.report, quality_run.project
    healthy = alerts(workspace_of(quality_run, spark), project)
    assert healthy == {"quarantine_share": 0, "orphan_share": 0, "freshness": 0, "fail_rule": 1}
    # Tighter limits than the run's shares: as many tables and references as are above them.
    limits = {"quarantine_share": 0.02, "orphan_share": 0.001, "freshness": 1 / 3600}
    time.sleep(1.5)
    tight = [r | {"threshold": limits.get(r["metric"], r["threshold"])} for r in quality_run.metrics]
    fired = alerts(workspace_of(quality_run, spark, tight), project)
    checked = {s: f["history"] + f["quarantine"] for s, f in report["conservation"].items()}
    above = sum(1 for s, f in report["conservation"].items() if f["quarantine"] / checked[s] > 0.02)
    orphaned = sum(1 for g in report["gold"].values() for n in g["orphans"].values() if n / g["rows"] > 0.001)
    assert fired == {
        "quarantine_share": above,
        "orphan_share": orphaned,
        "freshness": len(report["conservation"]),
        "fail_rule": 1,
    }
    assert above and orphaned  # the sample's dirt crosses these limits


def test_the_fail_rule_alert_watches_the_latest_update_only(quality_run: QualityRun, spark: Any) -> None:
    workspace = workspace_of(quality_run, spark)
    workspace.add_update("JOB_TASK", ["RUNNING", "COMPLETED"], start_tick=15, flows=[])
    workspace.tick = 25
    assert alerts(workspace, quality_run.project)["fail_rule"] == 0
