"""report.html from a run report: every figure of the report is on the page, under its
`data-figure` key, escaped; a failed run shows its errors and the tables it did not write."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

from medallion.spec import load_spec
from medallion.tooling.local.report_html import render, write_page
from medallion.tooling.local.run_report_text import format_report
from tests.pipeline.test_report import SPEC


class Figures(HTMLParser):
    """data-figure key -> the text of its element; also whether any resource is fetched."""

    def __init__(self) -> None:
        super().__init__()
        self.figures: dict[str, str] = {}
        self.fetches: list[str] = []
        self._open: list[str | None] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        self._open.append(found.get("data-figure"))
        for name in ("src", "href"):
            if found.get(name):
                self.fetches.append(str(found[name]))
        if tag == "link" or tag == "script":
            self.fetches.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if self._open:
            self._open.pop()

    def handle_data(self, data: str) -> None:
        key = self._open[-1] if self._open else None
        if key is not None:
            self.figures[key] = self.figures.get(key, "") + data


def figures_of(html: str) -> Figures:
    parser = Figures()
    parser.feed(html)
    return parser


def report() -> dict[str, Any]:
    tables = {
        "bronze_customers": {"rows": 2, "layer": "bronze"},
        "silver_customers_history": {"rows": 2, "layer": "silver_history"},
        "quarantine_customers": {"rows": 0, "layer": "quarantine"},
        "silver_customers": {"rows": 1, "layer": "silver"},
        "bronze_orders": {"rows": 1234, "layer": "bronze"},
        "silver_orders_history": {"rows": 1200, "layer": "silver_history"},
        "quarantine_orders": {"rows": 34, "layer": "quarantine"},
        "silver_orders": {"rows": 1100, "layer": "silver"},
        "quality_metrics": {"rows": 9, "layer": "quality"},
    }
    return {
        "status": "COMPLETED",
        "duration_s": 12.5,
        "update_id": "u1",
        "tables": tables,
        "rules": [
            {
                "table": "silver_orders_history",
                "rule": "range_qty",
                "action": "drop",
                "passed": 1200,
                "failed": 30,
            },
            {
                "table": "silver_orders_history",
                "rule": "qty<small>",
                "action": "warn",
                "passed": 1230,
                "failed": 4,
            },
        ],
        "conservation": {
            "customers": {"bronze": 2, "history": 2, "quarantine": 0, "balanced": True},
            "orders": {"bronze": 1234, "history": 1200, "quarantine": 34, "balanced": True},
        },
        "quarantine_reasons": {"quarantine_orders": [{"rule": "range_qty", "rows": 34}]},
        "orphans": [
            {
                "table": "silver_orders",
                "columns": ["customer_id"],
                "references": "silver_customers",
                "checked": 1100,
                "orphans": 7,
            }
        ],
        "gold": {},
        "errors": [],
    }


def spec(tmp_path: Path) -> Any:
    path = tmp_path / "medallion.yml"
    path.write_text(yaml.safe_dump(SPEC))
    return load_spec(path)


def test_every_figure_of_the_report_is_on_the_page(tmp_path: Path) -> None:
    page = figures_of(render(report(), spec(tmp_path)))
    shown = page.figures
    assert shown["status"] == "COMPLETED"
    for name, info in report()["tables"].items():
        if info["layer"] != "quality":
            assert shown[f"rows:{name}"] == f"{info['rows']:,}", name
    assert shown["failed:silver_orders_history:range_qty"] == "30"
    assert shown["failed:silver_orders_history:qty<small>"] == "4"  # escaped in the page, text again here
    assert (shown["bronze:orders"], shown["history:orders"], shown["quarantine:orders"]) == (
        "1,234",
        "1,200",
        "34",
    )
    assert shown["quarantine_share:orders"] == f"{34 / 1234:.2%}"
    assert shown["reasons:quarantine_orders"] == "range_qty 34"
    assert shown["orphans:silver_orders:customer_id"] == "7"
    assert page.fetches == [], "the page must work offline, from a file"


def test_markup_in_names_is_escaped(tmp_path: Path) -> None:
    html = render(report(), spec(tmp_path))
    assert "qty<small>" not in html and "qty&lt;small&gt;" in html


def test_a_failed_run_shows_its_errors_and_the_tables_it_did_not_write(tmp_path: Path) -> None:
    failed = report() | {"status": "FAILED", "errors": ["flow silver_orders FAILED"]}
    failed["tables"] = {
        **failed["tables"],
        "silver_orders": {"rows": None, "layer": "silver", "flow": "FAILED"},
    }
    html = render(failed, spec(tmp_path))
    shown = figures_of(html).figures
    assert shown["status"] == "FAILED" and shown["rows:silver_orders"] == "failed"
    assert "flow silver_orders FAILED" in html and 'class="node missing"' in html


def test_the_page_is_written_next_to_the_report(tmp_path: Path) -> None:
    path = write_page(report(), spec(tmp_path), tmp_path / ".medallion")
    assert path == tmp_path / ".medallion" / "report.html" and path.read_text().startswith("<!DOCTYPE html>")


def test_the_text_report_names_the_page_before_its_verdict() -> None:
    full = report() | {"duration_s": 1.0, "duplicates": {}, "table_checks": []}
    lines = format_report(full, Path(".medallion/report.html")).splitlines()
    assert lines[-2].startswith("page        .medallion/report.html") and lines[-1] == "COMPLETED in 1.0 s"
    assert not any(line.startswith("page") for line in format_report(full).splitlines())
