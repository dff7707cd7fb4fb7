"""The spec inferred for the library domain runs on local Spark without edits (slow, serialised)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from medallion.tooling.inference import infer_spec
from tests.infer.library_fixture import write_library
from tests.rendering import python_with_project

pytestmark = pytest.mark.pipeline


@pytest.mark.skipif(shutil.which("java") is None, reason="Java 17 is needed for local runs")
def test_inferred_library_spec_runs_locally(default_project: Path, tmp_path: Path) -> None:
    project = shutil.copytree(default_project, tmp_path / "project", ignore=shutil.ignore_patterns(".*"))
    raw = write_library(tmp_path / "raw", "csv")
    (project / "medallion.yml").write_text(infer_spec([raw]))
    report_path = tmp_path / "report.json"
    command = [
        sys.executable,
        "-m",
        "medallion",
        "run-local",
        "--full-refresh",
        "--source",
        str(raw),
        "--report-json",
        str(report_path),
    ]
    done = subprocess.run(
        command,
        cwd=project,
        env=python_with_project(project),
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    output = f"exit {done.returncode}:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert report_path.exists(), output
    report = json.loads(report_path.read_text())
    assert report["status"] == "COMPLETED", output
    rows = {name: table["rows"] for name, table in report["tables"].items()}
    assert rows["silver_branches"] == 12 and rows["silver_books"] == 300
    assert rows["silver_members"] == 250 and rows["silver_loans"] == 1200
    assert 250 < rows["dim_member"] <= 280 and rows["fact_loans"] == 1200  # movers open SCD2 versions
