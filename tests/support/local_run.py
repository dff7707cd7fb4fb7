"""The one way tests run `medallion run-local`: a subprocess in the project, with this interpreter.

`run_local(project, *args)` runs it on the project's own warm server (what a user gets);
`run_local(project, *args, server=shared)` runs it with `--remote` on the session's shared Spark
Connect server (tests/support/connect_server.py), in a database of the project's own, so a
test pays for no JVM start and no cold first run. Runs of one project always land in the same
database (a second run finds the first run's tables and checkpoints, as on its own server).
Checkpoints stay in the project (`.medallion/storage-<database>`); tables go to the server's
warehouse, `LocalRun.tables` says where.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.rendering import python_with_project
from tests.support.connect_server import ConnectServer

TIMEOUT_S = 1800


@dataclass(frozen=True)
class LocalRun:
    """One finished `medallion run-local`: exit code, report (empty when none was written),
    stdout and stderr together, wall time, and the folder holding its tables."""

    returncode: int
    report: dict[str, Any]
    output: str
    wall_s: float
    tables: Path

    def table_dir(self, name: str) -> Path:
        return self.tables / name


def require_local_engine() -> None:
    """Skip when Java (for the local engine) is missing."""
    if shutil.which("java") is None:
        pytest.skip("Java 17 is needed for local pipeline runs")


def database_of(project: Path) -> str:
    """The project's database on a shared server: the same for every run of that project."""
    return "t_" + hashlib.sha1(str(project.resolve()).encode()).hexdigest()[:12]


def tables_of(project: Path, server: ConnectServer | None) -> Path:
    """Where a run's tables are: the project's warehouse, or its database's folder on `server`."""
    if server is None:
        return project / ".medallion" / "warehouse"
    return server.warehouse / f"{database_of(project)}.db"


def copy_project(rendered: Path, target: Path) -> Path:
    """A private copy of a rendered project (runs write .medallion/ and fixtures/ into it)."""
    shutil.copytree(rendered, target, ignore=shutil.ignore_patterns(".medallion", "__pycache__"))
    return target


def medallion(
    project: Path, *args: str, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    """`python -m medallion ARGS` in a rendered project, as a user runs it (`env` is added to
    the project's environment)."""
    return subprocess.run(
        [sys.executable, "-m", "medallion", *args],
        cwd=project,
        env=python_with_project(project) | (env or {}),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def local_command(
    project: Path, *args: str, server: ConnectServer | None = None, report: Path | None = None
) -> tuple[list[str], dict[str, str]]:
    """argv and environment of `python -m medallion run-local` in `project` (for Popen)."""
    command = [sys.executable, "-m", "medallion", "run-local"]
    if report is not None:
        command += ["--report-json", str(report)]
    if server is not None:
        command += ["--remote", server.url, "--database", database_of(project)]
    return [*command, *args], python_with_project(project)


def run_local(
    project: Path,
    *args: str,
    server: ConnectServer | None = None,
    timeout: float = TIMEOUT_S,
    env: dict[str, str] | None = None,
) -> LocalRun:
    """Run it to the end (the runner takes the Spark lock) and read its --report-json."""
    report = project / ".medallion" / f"report-{time.monotonic_ns()}.json"
    command, environment = local_command(project, *args, server=server, report=report)
    started = time.monotonic()
    done = subprocess.run(
        command,
        cwd=project,
        env=environment | (env or {}),
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    wall = time.monotonic() - started
    data = json.loads(report.read_text()) if report.exists() else {}
    return LocalRun(done.returncode, data, done.stdout + done.stderr, wall, tables_of(project, server))


def warehouse_table(spark: Any, run: LocalRun, name: str) -> Any:
    """A pipeline table read straight from its Parquet folder (no second metastore user)."""
    return spark.read.parquet(str(run.table_dir(name)))


def readback_args(project: Path, server: ConnectServer | None) -> list[str]:
    """Arguments for a read-back subprocess (tests/gold/readback.py): the server and database
    to read from, when the run went to `server`."""
    return [] if server is None else ["--remote", server.url, "--database", database_of(project)]
