"""A malformed spec stops `run-local` before Spark starts, naming file, key and fix."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from pathlib import Path

from tests.rendering import python_with_project


def test_bad_spec_fails_fast_without_spark(rendered_retail: Path, tmp_path: Path) -> None:
    project = tmp_path / "project"
    shutil.copytree(rendered_retail, project)
    spec = project / "medallion.yml"
    spec.write_text(spec.read_text().replace("action: drop", "action: explode", 1))
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-m", "medallion", "run-local"],
        cwd=project,
        env=python_with_project(project),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert completed.returncode == 2
    assert time.monotonic() - started < 20
    message = completed.stderr
    assert str(spec) in message
    assert "sources.customers.expectations[0].action" in message
    assert "use one of: warn, drop, fail" in message
    assert not (project / ".medallion").exists()
