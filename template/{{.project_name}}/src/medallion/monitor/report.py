"""The monitor's outputs: a human-readable report and the JSON file, both with secrets redacted
(event messages and error texts quote whatever the pipeline logged; monitor/redact.py)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from medallion.monitor.judge import notes
from medallion.monitor.redact import redact, redact_all


def _rows(value: int | None) -> str:
    return "missing" if value is None else f"{value:,}"


def full_criteria(criteria: list[dict[str, Any]]) -> list[str]:
    """Every criterion with its verdict and detail, a line each."""
    return ["Criteria:", *(f"  [{'ok' if c['ok'] else 'FAIL'}] {c['name']}: {c['detail']}" for c in criteria)]


def brief_criteria(criteria: list[dict[str, Any]], width: int = 100) -> list[str]:
    """The criteria met, named on wrapped lines; each failed one on its own line with its detail."""
    met = [c["name"] for c in criteria if c["ok"]]
    lines = [f"  [FAIL] {c['name']}: {c['detail']}" for c in criteria if not c["ok"]]
    if not met:
        return lines
    current = f"  [ok] {len(met)} criteria met: "
    wrapped = []
    for index, name in enumerate(met):
        item = name + ("," if index < len(met) - 1 else "")
        if len(current) + len(item) > width and not current.endswith(": "):
            wrapped.append(current.rstrip())
            current = "       "
        current += item + " "
    return [*wrapped, current.rstrip(), *lines]


def render_text(report: dict[str, Any], brief: bool = False) -> str:
    """A short report: verdict, criteria, tables, rules, diagnoses with their fixes.

    brief names the criteria met without their figures and leaves out the tables and rules
    (the local runner has printed them already); failed criteria keep their detail.
    """
    lines = [f"Verdict: {report['verdict']}  (status {report['status']}, {report.get('duration_s', 0)} s)"]
    if report.get("update_ids"):
        lines.append(f"Pipeline {report.get('pipeline_id')}, update(s) {', '.join(report['update_ids'])}")
    lines += [f"Note: {note}" for note in notes(report["criteria"])]
    lines += brief_criteria(report["criteria"]) if brief else full_criteria(report["criteria"])
    if report.get("tables") and not brief:
        lines.append("Tables (rows written):")
        lines += [
            f"  {info['layer']:<15} {name:<32} {_rows(info['rows']):>12}"
            for name, info in report["tables"].items()
        ]
    failing = [r for r in report.get("rules", []) if r["failed"]]
    if failing and not brief:
        lines.append("Rules with failing rows:")
        lines += [
            f"  {r['table']}.{r['rule']} ({r['action']}): {r['failed']:,} failed, {r['passed']:,} passed"
            for r in failing
        ]
    for number, diagnosis in enumerate(report.get("diagnoses", []), 1):
        lines.append(f"Diagnosis {number}: {diagnosis['cause']} - {diagnosis['explanation']}")
        lines += [f"    | {line}" for line in diagnosis.get("evidence", [])]
        automatic = (
            f" (automatic fix: {diagnosis['automatic_fix']})" if diagnosis.get("automatic_fix") else ""
        )
        lines.append(f"  Fix{automatic}: {diagnosis['fix']}")
    return redact("\n".join(lines))


def write_json(report: dict[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(redact_all(report), indent=2, default=str) + "\n")
