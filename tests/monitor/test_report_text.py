"""The human-readable monitor report: missing tables shown as such, brief mode for the demo."""

from __future__ import annotations

from typing import Any

from medallion.monitor.report import render_text

REPORT: dict[str, Any] = {
    "verdict": "FAILED",
    "status": "FAILED",
    "duration_s": 3.5,
    "criteria": [{"name": "tables present", "ok": False, "detail": "1 missing: fact_sales"}],
    "tables": {
        "fact_sales": {"rows": None, "layer": "gold"},
        "bronze_orders": {"rows": 1200, "layer": "bronze"},
    },
    "rules": [{"table": "orders", "rule": "range_quantity", "action": "drop", "passed": 10, "failed": 2}],
    "diagnoses": [],
}


def test_missing_table_is_reported_not_crashed() -> None:
    text = render_text(REPORT)
    assert "fact_sales" in text and "missing" in text
    assert "1,200" in text
    assert "orders.range_quantity (drop): 2 failed" in text


def test_brief_keeps_verdict_and_criteria_only() -> None:
    met = [{"name": f"quarantine share of table_{n}", "ok": True, "detail": "1 of 9"} for n in range(8)]
    text = render_text({**REPORT, "criteria": [*met, *REPORT["criteria"]]}, brief=True)
    lines = text.splitlines()
    assert lines[0].startswith("Verdict: FAILED")
    assert "  [FAIL] tables present: 1 missing: fact_sales" in lines
    assert "bronze_orders" not in text and "range_quantity" not in text
    assert "[ok] 8 criteria met: quarantine share of table_0," in text and "1 of 9" not in text
    assert all(f"table_{n}" in text for n in range(8)) and max(map(len, lines)) <= 100
    assert len(lines) == 1 + 3 + 1  # verdict, the eight names wrapped on three lines, the failure


def test_orphans_as_the_local_runner_reports_them(default_project) -> None:
    from medallion.monitor.judge import orphan_criteria
    from medallion.spec import load_spec

    spec = load_spec(default_project / "medallion.yml")
    entry = {"table": "silver_orders", "columns": ["customer_id"], "references": "silver_customers"}
    report = {"orphans": [{**entry, "checked": 308, "orphans": 1}, {**entry, "checked": 10, "orphans": 5}]}
    ok, too_many = orphan_criteria(report, spec)
    assert ok.ok and not too_many.ok
