"""The spec inferred for the library domain runs on local Spark without edits (slow, serialised)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from medallion.tooling.inference import infer_spec
from tests.infer.library_fixture import write_library
from tests.support.connect_server import ConnectServer
from tests.support.local_run import copy_project, run_local

pytestmark = pytest.mark.pipeline


@pytest.mark.skipif(shutil.which("java") is None, reason="Java 17 is needed for local runs")
def test_inferred_library_spec_runs_locally(
    default_project: Path, tmp_path: Path, shared_server: ConnectServer
) -> None:
    project = copy_project(default_project, tmp_path / "project")
    raw = write_library(tmp_path / "raw", "csv")
    (project / "medallion.yml").write_text(infer_spec([raw]))
    run = run_local(project, "--full-refresh", "--source", str(raw), server=shared_server, timeout=1200)
    output = f"exit {run.returncode}:\n{run.output[-6000:]}"
    assert run.report, output
    report = run.report
    assert report["status"] == "COMPLETED", output
    rows = {name: table["rows"] for name, table in report["tables"].items()}
    assert rows["silver_branches"] == 12 and rows["silver_books"] == 300
    assert rows["silver_members"] == 250 and rows["silver_loans"] == 1200
    assert 250 < rows["dim_member"] <= 280 and rows["fact_loans"] == 1200  # movers open SCD2 versions
