"""The default project (retail, JSON files) on the local engine, run twice."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from medallion import naming
from medallion.spec import load_spec
from tests.pipeline.conftest import NEW_ORDERS_FILE, RetailRuns
from tests.pipeline.defects import defect_problem
from tests.support.connect_server import ConnectServer
from tests.support.local_run import database_of, warehouse_table

pytestmark = pytest.mark.pipeline
SOURCES = ("customers", "products", "orders")


def bronze_silver_tables() -> list[str]:
    return [
        t(s)
        for s in SOURCES
        for t in (naming.bronze_table, naming.history_table, naming.quarantine_table, naming.silver_table)
    ]


def test_first_run_completes_bronze_and_silver(retail_runs: RetailRuns) -> None:
    report = retail_runs.first.report
    for table in bronze_silver_tables():
        assert report["tables"][table]["rows"], (table, retail_runs.first.output)
        assert report["flows"][table] == "COMPLETED", retail_runs.first.output
    assert report["status"] == "COMPLETED", retail_runs.first.output


def test_runs_go_to_the_named_server_and_start_no_jvm_of_their_own(
    retail_runs: RetailRuns, shared_server: ConnectServer
) -> None:
    """`run-local --remote` on a separately started Connect server: the report names it and the
    run's database, the tables are there, and the project starts no server of its own."""
    database = database_of(retail_runs.project)
    expected = {"url": shared_server.url, "kind": "remote", "warm": False, "database": database}
    for run in (retail_runs.first, retail_runs.second):
        assert run.report["server"] == expected
    assert shared_server.table_dir(database, "silver_orders").is_dir()
    assert not (retail_runs.project / ".medallion" / "server" / "server.json").exists()


def test_the_sample_runs_with_a_small_sources_settings(retail_runs: RetailRuns) -> None:
    """Interpreted expressions and no scheduler sleep (run_settings.py): every count and total
    the other tests check was computed that way."""
    for run in (retail_runs.first, retail_runs.second):
        settings = run.report["settings"]
        assert (settings["generated_code"], settings["scheduler_sleep_s"]) == (False, 0), settings
        assert 0 < settings["source_bytes"] < 1024**2


@pytest.mark.parametrize("run", ["first", "second"])
def test_rows_are_conserved(retail_runs: RetailRuns, run: str) -> None:
    report = getattr(retail_runs, run).report
    for source, counts in report["conservation"].items():
        assert counts["balanced"], (source, counts)
        assert counts["bronze"] == counts["history"] + counts["quarantine"]


def test_bronze_keeps_every_sample_row(retail_runs: RetailRuns) -> None:
    tables = retail_runs.first.report["tables"]
    for source, info in retail_runs.manifest["tables"].items():
        assert tables[naming.bronze_table(source)]["rows"] == info["rows"]


def test_duplicates_are_history_minus_silver(retail_runs: RetailRuns) -> None:
    report = retail_runs.first.report
    for source in SOURCES:
        history = report["tables"][naming.history_table(source)]["rows"]
        current = report["tables"][naming.silver_table(source)]["rows"]
        assert report["duplicates"][naming.silver_table(source)] == history - current


def test_second_run_reads_only_the_new_file(retail_runs: RetailRuns, spark: Any) -> None:
    first, second = retail_runs.first.report, retail_runs.second.report
    added = len(retail_runs.new_orders)
    assert second["tables"]["bronze_orders"]["rows"] == first["tables"]["bronze_orders"]["rows"] + added
    for source in ("customers", "products"):
        table = naming.bronze_table(source)
        assert second["tables"][table]["rows"] == first["tables"][table]["rows"]
    bronze = warehouse_table(spark, retail_runs.second, "bronze_orders")
    fresh = bronze.where(f"_update_id = '{second['update_id']}'").collect()
    assert len(fresh) == added
    assert all(row["_source_file"].endswith(NEW_ORDERS_FILE) for row in fresh)


def test_second_run_sees_fresh_upstream_data(retail_runs: RetailRuns, spark: Any) -> None:
    """The silver materialized view is recomputed after history got the new rows."""
    silver = warehouse_table(spark, retail_runs.second, "silver_orders")
    assert silver.where("order_id = 'N0000001'").count() == 2
    updated = silver.where("order_id = 'O0000100' AND line_number = 1").collect()
    assert [row["status"] for row in updated] == ["delivered"]
    report = retail_runs.second.report
    assert (
        report["tables"]["silver_orders"]["rows"]
        == retail_runs.first.report["tables"]["silver_orders"]["rows"] + 2
    )


def test_every_seeded_defect_lands_where_expected(retail_runs: RetailRuns, spark: Any) -> None:
    spec = load_spec(retail_runs.project / "medallion.yml")
    read = partial(warehouse_table, spark, retail_runs.second)
    problems = [(d, defect_problem(read, spec, d)) for d in retail_runs.manifest["defects"]]
    assert [p for p in problems if p[1]] == []
    assert {d["expect"] for d in retail_runs.manifest["defects"]} >= {
        "quarantine",
        "warn",
        "silver_value",
        "superseded",
        "duplicate",
        "orphan",
        "rescued",
    }


def test_report_counts_rules_and_orphans(retail_runs: RetailRuns) -> None:
    report = retail_runs.first.report
    rules = {(r["table"], r["rule"]): r for r in report["rules"]}
    for defect in retail_runs.manifest["defects"]:
        if "rule" in defect:
            rule = rules[(naming.history_table(defect["table"]), defect["rule"])]
            assert rule["failed"] >= 1, defect
    orphans = {(o["table"], tuple(o["columns"])): o["orphans"] for o in report["orphans"]}
    expected = sum(1 for d in retail_runs.manifest["defects"] if d["expect"] == "orphan")
    assert sum(orphans.values()) == expected
    reasons = report["quarantine_reasons"]["quarantine_orders"]
    assert {r["rule"] for r in reasons} >= {"range_quantity", "accepted_status", "not_null_order_id"}
