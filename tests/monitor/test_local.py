"""`medallion monitor --local` judges a run-local report with the same criteria."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from medallion import naming
from medallion.monitor.report import render_text
from medallion.spec import load_spec
from tests.monitor.conftest import SPEC, monitor


def local_report(**changes: Any) -> dict[str, Any]:
    tables = {
        name: {"rows": 100, "layer": layer} for name, layer in naming.expected_tables(load_spec(SPEC)).items()
    }
    for name in tables:
        if name.startswith("quarantine_"):
            tables[name]["rows"] = 5
    report = {
        "status": "COMPLETED",
        "duration_s": 31.5,
        "tables": tables,
        "rules": [
            {
                "table": "silver_orders_history",
                "rule": "discount_within_price",
                "action": "warn",
                "passed": 95,
                "failed": 5,
            }
        ],
        "duplicates": {"silver_orders": 0},
    }
    report.update(changes)
    return report


def judge(tmp_path: Path, report: dict[str, Any] | str) -> tuple[int, dict[str, Any]]:
    path = tmp_path / "run.json"
    path.write_text(report if isinstance(report, str) else json.dumps(report))
    return monitor(tmp_path, "--local", "--report-json-in", str(path))


def test_good_local_run_succeeds(tmp_path: Path) -> None:
    code, report = judge(tmp_path, local_report())
    assert code == 0, report
    assert report["verdict"] == "SUCCESS" and report["diagnoses"] == []
    assert report["tables"]["bronze_orders"]["rows"] == 100 and report["duplicates"] == {"silver_orders": 0}
    assert any(c["name"] == "orphan references" and "not measured" in c["detail"] for c in report["criteria"])


@pytest.mark.parametrize(
    ("change", "failed_criterion"),
    [
        ({"status": "FAILED"}, "update completed"),
        ({"tables": {"bronze_orders": {"rows": 1, "layer": "bronze"}}}, "expected tables present"),
        (
            {
                "orphans": [
                    {
                        "table": "silver_orders",
                        "columns": ["customer_id"],
                        "references": "silver_customers",
                        "checked": 10,
                        "orphans": 5,
                    }
                ]
            },
            "orphans silver_orders.customer_id -> silver_customers",
        ),
    ],
)
def test_local_criteria(tmp_path: Path, change: dict[str, Any], failed_criterion: str) -> None:
    code, report = judge(tmp_path, local_report(**change))
    assert code == 1
    assert failed_criterion in [c["name"] for c in report["criteria"] if not c["ok"]]


def test_local_quarantine_over_threshold(tmp_path: Path) -> None:
    report = local_report()
    report["tables"]["quarantine_orders"]["rows"] = 30
    code, judged = judge(tmp_path, report)
    assert code == 1
    assert [c["name"] for c in judged["criteria"] if not c["ok"]] == ["quarantine share of orders"]


def test_unreadable_local_report_exits_2(tmp_path: Path) -> None:
    assert judge(tmp_path, "{not json")[0] == 2
    assert judge(tmp_path, json.dumps({"tables": {}}))[0] == 2


def empty_tables() -> dict[str, Any]:
    return {
        name: {"rows": 0, "layer": layer} for name, layer in naming.expected_tables(load_spec(SPEC)).items()
    }


def test_a_completed_update_on_empty_sources_succeeds_and_says_no_rows_ingested_yet(tmp_path: Path) -> None:
    """The first update on an empty landing zone: not a failure, not a silent success."""
    code, report = judge(tmp_path, local_report(tables=empty_tables(), rules=[], duplicates={}))
    assert code == 0, report
    assert report["verdict"] == "SUCCESS"
    ingested = [c for c in report["criteria"] if c["name"] == "rows ingested"]
    assert (
        ingested
        and ingested[0]["ok"]
        and ingested[0]["detail"].startswith("no rows ingested yet: every source")
    )
    text = render_text(report, brief=True)
    assert "Note: no rows ingested yet: every source is empty" in text.splitlines()[1]


def test_one_empty_source_is_named(tmp_path: Path) -> None:
    tables = local_report()["tables"]
    tables["bronze_customers"]["rows"] = 0
    code, report = judge(tmp_path, local_report(tables=tables))
    assert code == 0, report
    assert any(c["detail"] == "no rows ingested yet from customers" for c in report["criteria"])


def test_rows_everywhere_says_nothing_about_ingestion(tmp_path: Path) -> None:
    _, report = judge(tmp_path, local_report())
    assert not [c for c in report["criteria"] if c["name"] == "rows ingested"]


def _body(**changes: Any) -> str:
    return json.dumps({"status": "COMPLETED", "tables": {}, **changes})


BRONZE = {"layer": "bronze"}
RULE = {"table": "t", "rule": "r", "action": "warn"}
ORPHAN = {"table": "t", "columns": ["a"]}


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (_body(tables={"bronze_orders": {**BRONZE, "rows": "x"}}), "tables.bronze_orders.rows is 'x'"),
        (_body(tables={"bronze_orders": {"rows": 1}}), "tables.bronze_orders needs rows and a layer"),
        (_body(rules=[{**RULE, "passed": None, "failed": 1}]), "rules[0] needs passed and failed"),
        (_body(tables={"bronze_orders": {**BRONZE, "rows": 0}}).replace("0}", "NaN}"), "NaN is not a number"),
        (json.dumps({"status": 5, "tables": {}}), "status is 5"),
        (_body(orphans=[{**ORPHAN, "checked": -1, "orphans": 0}]), "orphans[0] needs checked and orphans"),
    ],
)
def test_a_malformed_report_is_refused_naming_its_key(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], body: str, says: str
) -> None:
    """Wrong types, NULL or negative counts, NaN: exit 2 with the key, never a traceback."""
    code, _ = judge(tmp_path, body)
    assert code == 2
    assert says in capsys.readouterr().err
