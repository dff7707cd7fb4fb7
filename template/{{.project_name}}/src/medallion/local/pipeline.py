"""Run `spark-pipelines run` as a child process and follow its flows."""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from medallion.local.progress import FlowProgress

MASTER = "local[2]"


@dataclass(frozen=True)
class PipelineRun:
    """How the pipeline process ended."""

    returncode: int
    duration_s: float
    flows: dict[str, str]
    run_state: str | None
    output_tail: list[str]

    @property
    def ok(self) -> bool:
        return self.returncode == 0 and not any(s == "FAILED" for s in self.flows.values())


def command(spec: Path, full_refresh: bool, env: dict[str, str]) -> list[str]:
    """The spark-pipelines command line (the executable comes from the environment's PATH)."""
    executable = shutil.which("spark-pipelines", path=env.get("PATH"))
    if executable is None:
        raise FileNotFoundError("spark-pipelines not found: install pyspark[pipelines]==4.3.0")
    refresh = ["--full-refresh-all"] if full_refresh else []
    return [executable, "--remote", MASTER, "run", "--spec", str(spec), *refresh]


def run_pipeline(
    spec: Path,
    env: dict[str, str],
    log: Path,
    full_refresh: bool = False,
    echo: Callable[[str], None] = print,
) -> PipelineRun:
    """Run the pipeline to the end, echoing one line per flow state change; all output goes to `log`."""
    progress = FlowProgress(echo=echo)
    started = time.monotonic()
    with (
        log.open("w") as log_file,
        subprocess.Popen(
            command(spec, full_refresh, env),
            cwd=spec.parent,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            start_new_session=True,
        ) as process,
    ):
        assert process.stdout is not None
        for line in process.stdout:
            log_file.write(line)
            progress.feed(line)
        returncode = process.wait()
    return PipelineRun(
        returncode, time.monotonic() - started, dict(progress.flows), progress.run_state, progress.other_lines
    )


def reuse_server() -> bool:
    """SPARK_LOCAL_CONNECT_REUSE=1 keeps one Connect server between runs (faster warm runs)."""
    return os.environ.get("SPARK_LOCAL_CONNECT_REUSE", "").lower() in ("1", "true")
