"""Judge a local run report (`medallion run-local --report-json`) with the same criteria."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from medallion.monitor.errors import ConfigurationError
from medallion.monitor.judge import conclude, report_criteria
from medallion.spec.model import Spec

DEFAULT_LOCAL_REPORT = Path(".medallion") / "run-report.json"


def read_report(path: Path) -> dict[str, Any]:
    """The run-local report, checked for the keys the judge needs."""
    try:
        report = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise ConfigurationError(f"cannot read the local run report {path}: {error}") from None
    if (
        not isinstance(report, dict)
        or "status" not in report
        or not isinstance(report.get("tables", {}), dict)
    ):
        raise ConfigurationError(f"{path} is not a run-local report (needs status and tables)")
    return report


def monitor_local(path: Path, spec: Spec) -> dict[str, Any]:
    report = read_report(path)
    return conclude(report, report_criteria(report, spec), [])
