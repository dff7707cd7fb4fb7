"""A rendered default project after one local pipeline run, shared by the slow template tests."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.rendering import python_with_project


def require_local_engine() -> None:
    if shutil.which("java") is None:
        pytest.skip("Java 17 is needed for local pipeline runs")


def run_local(project: Path, report: Path, *extra: str) -> dict[str, Any]:
    """`medallion run-local --report-json` in the project, with this interpreter."""
    command = [sys.executable, "-m", "medallion", "run-local", "--report-json", str(report), *extra]
    env = python_with_project(project)
    done = subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=1500)
    assert report.exists(), (
        f"no report (exit {done.returncode}):\n{done.stdout[-4000:]}\n{done.stderr[-4000:]}"
    )
    return json.loads(report.read_text())
