"""Fixtures: a project folder, a fake `databricks` first on PATH, the fake workspace."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from tests.monitor.conftest import SPEC, clock, server, workspace  # noqa: F401  (shared fixtures)
from tests.support.fake_databricks import FakeServer

FAKE_CLI = Path(__file__).resolve().parents[1] / "support" / "fake_databricks_cli.py"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    folder = tmp_path / "retail"
    (folder / "sql").mkdir(parents=True)
    shutil.copy(SPEC, folder / "medallion.yml")
    (folder / "sql" / "setup.sql").write_text(
        "-- grants for the pipeline's run-as identity\n"
        "CREATE SCHEMA IF NOT EXISTS `main`.`retail`;\n"
        "GRANT USE SCHEMA, SELECT ON SCHEMA `main`.`retail` TO `etl@example.com`; /* ; inside a comment */\n"
    )
    return folder


def install_fake_cli(script: Path, tmp_path: Path, fake: FakeServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Put `script` first on PATH as `databricks`; returns the file it logs its arguments to."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    wrapper = bin_dir / "databricks"
    wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{script}" "$@"\n')
    wrapper.chmod(0o755)
    log = tmp_path / "cli.log"
    log.touch()
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setenv("FAKE_CLI_LOG", str(log))
    monkeypatch.setenv("FAKE_PIPELINE_ID", fake.workspace.pipeline_id)
    return log


@pytest.fixture
def cli_log(tmp_path: Path, server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> Path:  # noqa: F811
    return install_fake_cli(FAKE_CLI, tmp_path, server, monkeypatch)
