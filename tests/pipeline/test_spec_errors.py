"""A malformed spec stops `run-local` before Spark starts, naming file, key and fix."""

from __future__ import annotations

import time
from pathlib import Path

from tests.support.local_run import copy_project, run_local


def test_bad_spec_fails_fast_without_spark(rendered_retail: Path, tmp_path: Path) -> None:
    project = copy_project(rendered_retail, tmp_path / "project")
    spec = project / "medallion.yml"
    spec.write_text(spec.read_text().replace("action: drop", "action: explode", 1))
    started = time.monotonic()
    run = run_local(project, timeout=60)
    assert run.returncode == 2
    assert time.monotonic() - started < 20
    message = run.output
    assert str(spec) in message
    assert "sources.customers.expectations[0].action" in message
    assert "use one of: warn, drop, fail" in message
    assert not (project / ".medallion").exists()
