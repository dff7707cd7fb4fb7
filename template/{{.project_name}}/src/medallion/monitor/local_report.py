"""Judge a local run report (`medallion run-local --report-json`) with the same criteria."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from medallion.monitor.errors import ConfigurationError
from medallion.monitor.judge import conclude, report_criteria
from medallion.spec.model import Spec

DEFAULT_LOCAL_REPORT = Path(".medallion") / "run-report.json"


MAX_REPORT_BYTES = 64 * 1024 * 1024
"""A run report is a few kilobytes; a larger file is not one (and is never read whole)."""


def read_report(path: Path) -> dict[str, Any]:
    """The run-local report, its shape checked where the judge reads it: every problem names
    its key, so a hand-edited or foreign file is refused instead of failing with a traceback."""
    try:
        if path.stat().st_size > MAX_REPORT_BYTES:
            raise ConfigurationError(
                f"{path} is over {MAX_REPORT_BYTES // 2**20} MiB: not a run-local report"
            )
        report = json.loads(path.read_text(), parse_constant=_no_constant)
    except (OSError, ValueError) as error:
        raise ConfigurationError(f"cannot read the local run report {path}: {error}") from None
    if (
        not isinstance(report, dict)
        or "status" not in report
        or not isinstance(report.get("tables", {}), dict)
    ):
        raise ConfigurationError(f"{path} is not a run-local report (needs status and tables)")
    problems = report_problems(report)
    if problems:
        raise ConfigurationError(f"{path} is not a run-local report: {'; '.join(problems[:5])}")
    return report


def report_problems(report: dict[str, Any]) -> list[str]:
    """Where the report's values are not what run-local writes (keys as report paths)."""
    problems = []
    if not isinstance(report["status"], str):
        problems.append(f"status is {report['status']!r}, not COMPLETED or FAILED")
    for name, info in report.get("tables", {}).items():
        if not isinstance(info, dict) or not isinstance(info.get("layer"), str):
            problems.append(f"tables.{name} needs rows and a layer")
        elif not _count(info.get("rows"), optional=True):
            problems.append(f"tables.{name}.rows is {info.get('rows')!r}, not a row count")
    rules = report.get("rules", [])
    for index, rule in enumerate(rules if isinstance(rules, list) else [None]):
        if not isinstance(rule, dict) or not all(
            isinstance(rule.get(k), str) for k in ("table", "rule", "action")
        ):
            problems.append(f"rules[{index}] needs table, rule and action")
        elif not (_count(rule.get("passed")) and _count(rule.get("failed"))):
            problems.append(f"rules[{index}] needs passed and failed row counts")
    orphans = report.get("orphans", [])
    for index, entry in enumerate(orphans if isinstance(orphans, list) else [None]):
        if not isinstance(entry, dict) or not (_count(entry.get("checked")) and _count(entry.get("orphans"))):
            problems.append(f"orphans[{index}] needs checked and orphans counts")
        elif not isinstance(entry.get("table"), str) or not isinstance(entry.get("columns"), list):
            problems.append(f"orphans[{index}] needs table, columns and references")
    return problems


def _count(value: Any, optional: bool = False) -> bool:
    """A row count: a whole number of zero or more (None where a table may be missing)."""
    if value is None:
        return optional
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _no_constant(name: str) -> Any:
    """NaN and Infinity are no JSON, and no count."""
    raise ValueError(f"{name} is not a number a run report holds")


def monitor_local(path: Path, spec: Spec) -> dict[str, Any]:
    report = read_report(path)
    return conclude(report, report_criteria(report, spec), [])
