"""The measured runs: the plain PySpark baseline, and `medallion run-local` cold or warm."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Iterator, Sequence
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
    """Report layer -> transformation layer: silver_history and quarantine belong to silver,
    quality_metrics to gold (medallion.gold.define_gold declares it)."""
    if table_layer in ("silver_history", "quarantine"):
        return "silver"
    return "gold" if table_layer == "quality" else table_layer


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
    """The project's own Spark Connect server, which `medallion run-local` keeps warm between runs.

    Its JVM and supervisor outlive the run that started them (they are then no descendants of
    the measured command): their pids come from `.medallion/server/server.json` and are sampled
    beside the command's tree.
    """

    project: Path

    @property
    def info(self) -> Path:
        return self.project / ".medallion" / "server" / "server.json"

    def pids(self) -> list[int]:
        """The server's JVM and supervisor while they run."""
        try:
            info = json.loads(self.info.read_text())
        except (OSError, ValueError):
            return []
        found = [int(info[k]) for k in ("pid", "supervisor_pid") if info.get(k)]
        return [pid for pid in found if Path(f"/proc/{pid}").exists()]

    def stop(self) -> None:
        """`medallion server stop` for the project (nothing when it is not running)."""
        command = [sys.executable, "-m", "medallion", "server", "stop", "--project", str(self.project)]
        subprocess.run(command, env=project_env(self.project), capture_output=True, check=False)


@contextmanager
def warm_server(project: Path) -> Iterator[WarmServer]:
    """The project's server kept warm for the block (started by its first run), stopped afterwards."""
    server = WarmServer(project)
    server.stop()
    try:
        yield server
    finally:
        server.stop()


def run_pipeline(
    project: Path,
    source: Path,
    scratch: Path,
    full_refresh: bool,
    server: WarmServer | None = None,
    select: Sequence[str] = (),
) -> Run:
    """`medallion run-local` on the project: cold (`--cold`: a new server, stopped after the run)
    or warm (`server` already up from an earlier run); `select`: only those tables (`--select`)."""
    report = scratch / "report.json"
    report.unlink(missing_ok=True)
    env = project_env(project) | {"PYTHONWARNINGS": QUIET}
    for key in ("SPARK_LOCAL_CONNECT_REUSE", "SPARK_LOCAL_CONNECT_DISCOVERY", "SPARK_REMOTE"):
        env.pop(key, None)
    command = [sys.executable, str(RUN_LOCAL_CHILD), "--project", str(project), "--source", str(source)]
    command += ["--report-json", str(report), *(["--full-refresh"] if full_refresh else [])]
    command += ["--select", ",".join(select)] if select else []
    own = server or WarmServer(project)
    if server is None:
        command.append("--cold")
    try:
        return Run(run_measured(command, env, cwd=project, extra_pids=own.pids), _json(report))
    finally:
        if server is None:
            own.stop()
