"""`run-local` always leaves its report where `monitor --local` looks for it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medallion.cli import main
from medallion.tooling.commands import run_local as run_local_command
from tests.support.local_run import copy_project

REPORT = {
    "status": "COMPLETED",
    "duration_s": 1.0,
    "tables": {"bronze_orders": {"rows": 3, "layer": "bronze"}},
    "rules": [],
    "duplicates": {},
}


def test_monitor_local_reads_what_run_local_wrote_without_flags(
    rendered_retail: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """A reported defect: run-local wrote .medallion/run-report.json only with --report-json."""
    project = copy_project(rendered_retail, tmp_path / "project")

    def finished_run(*_: Any, **__: Any) -> dict[str, Any]:
        return dict(REPORT)

    monkeypatch.setattr(run_local_command, "run_local", finished_run)
    monkeypatch.setattr(run_local_command, "format_report", lambda report, page=None: "report")
    assert main(["run-local", "--project", str(project)]) == 0
    assert (project / ".medallion" / "run-report.json").is_file()
    capsys.readouterr()
    code = main(["monitor", "--local", "--spec", str(project / "medallion.yml"), "--brief"])
    assert "Verdict:" in capsys.readouterr().out
    assert code in (0, 1)  # judged (not exit 2: "no report")
