"""The measured runs: the plain PySpark baseline, and `medallion run-local` cold or warm."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.data import project_env
from bench.procs import Measurement, run_measured

HERE = Path(__file__).resolve().parent
BASELINE_SCRIPT = HERE / "baseline.py"
RUN_LOCAL_CHILD = HERE / "run_local_child.py"
QUIET = "ignore::FutureWarning,ignore::UserWarning"


@dataclass(frozen=True)
class Run:
    """One measured run: the outer measurement and what the run said about itself."""

    measurement: Measurement
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.measurement.returncode == 0 and self.details.get("status", "COMPLETED") == "COMPLETED"

    def ok_without(self, skipped: tuple[str, ...]) -> bool:
        """ok, or failed only because the tables of deliberately skipped layers are absent."""
        if self.ok:
            return True
        if not self.details.get("pipeline_duration_s") or "FAILED" in self.details.get("flows", {}).values():
            return False
        missing = {n: t["layer"] for n, t in self.details.get("tables", {}).items() if t.get("rows") is None}
        return bool(missing) and all(skipped_layer(layer) in skipped for layer in missing.values())


def skipped_layer(table_layer: str) -> str:
    """Report layer -> transformation layer: silver_history and quarantine belong to silver."""
    return "silver" if table_layer in ("silver_history", "quarantine") else table_layer


def _json(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.exists() else {}


def run_baseline(project: Path, source: Path, scratch: Path) -> Run:
    """Plain PySpark batch over the same files (a fresh JVM each time), tables written as Parquet."""
    out, result = scratch / "baseline-tables", scratch / "baseline.json"
    shutil.rmtree(out, ignore_errors=True)
    result.unlink(missing_ok=True)
    env = project_env(project) | {"PYTHONWARNINGS": QUIET}
    command = [sys.executable, str(BASELINE_SCRIPT), "--project", str(project), "--source", str(source)]
    measured = run_measured([*command, "--out", str(out), "--result", str(result)], env, cwd=project)
    return Run(measured, _json(result))


@dataclass(frozen=True)
class WarmServer:
    """A private persistent Connect server (its own discovery file, so never another user's)."""

    folder: Path

    @property
    def discovery(self) -> Path:
        return self.folder / "connect-local.json"

    def env(self) -> dict[str, str]:
        return {"SPARK_LOCAL_CONNECT_REUSE": "1", "SPARK_LOCAL_CONNECT_DISCOVERY": str(self.discovery)}

    def pids(self) -> list[int]:
        """The server's pid while it runs (read from the daemon's pid file next to the discovery)."""
        found = []
        for pid_file in self.folder.glob("spark-*.pid"):
            try:
                pid = int(pid_file.read_text().strip())
            except (OSError, ValueError):
                continue
            if Path(f"/proc/{pid}").exists():
                found.append(pid)
        return found

    def stop(self) -> None:
        """`python -m pyspark.sql.connect.local_server --stop` for this discovery file."""
        command = [sys.executable, "-m", "pyspark.sql.connect.local_server", "--stop"]
        subprocess.run(command, env={**os.environ, **self.env()}, capture_output=True, check=False)


@contextmanager
def warm_server(folder: Path) -> Iterator[WarmServer]:
    """A warm server for the duration of the block, always stopped afterwards."""
    folder.mkdir(parents=True, exist_ok=True)
    server = WarmServer(folder)
    server.stop()
    try:
        yield server
    finally:
        server.stop()


def run_pipeline(
    project: Path, source: Path, scratch: Path, full_refresh: bool, server: WarmServer | None = None
) -> Run:
    """`medallion run-local` on the project (cold: a new Connect server; warm: `server`)."""
    report = scratch / "report.json"
    report.unlink(missing_ok=True)
    env = project_env(project) | {"PYTHONWARNINGS": QUIET}
    for key in ("SPARK_LOCAL_CONNECT_REUSE", "SPARK_LOCAL_CONNECT_DISCOVERY"):
        env.pop(key, None)
    if server is not None:
        env |= server.env()
    command = [sys.executable, str(RUN_LOCAL_CHILD), "--project", str(project), "--source", str(source)]
    command += ["--report-json", str(report), *(["--full-refresh"] if full_refresh else [])]
    extra = server.pids if server is not None else tuple
    return Run(run_measured(command, env, cwd=project, extra_pids=extra), _json(report))
