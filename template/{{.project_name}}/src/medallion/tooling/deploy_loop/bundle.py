"""The real `databricks` CLI (>= 0.281, with `bundle`), found on PATH and run as a subprocess.

Every run is bounded by the command's deadline: a CLI still running when it passes is stopped
(its whole process group: SIGTERM, then SIGKILL) and `DeadlineReached` names the command. Its
stderr is redacted before it is shown; output that should be JSON and is not is a clear
`BundleCommandError`, not a traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import signal
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medallion.monitor.connect import make_clock
from medallion.monitor.deadline import Deadline
from medallion.monitor.errors import ConfigurationError
from medallion.monitor.redact import redact

# The rendered bundle's minimum, as min_databricks_cli_version in databricks_template_schema.json
# (tests/bundle/test_min_cli_version.py derives it from the CLI's bundle schema at each release).
MIN_VERSION = (0, 281, 0)
# `--version` and `bundle --help` answer at once; a CLI that does not is broken.
PROBE_TIMEOUT_S = 60.0
_STDERR_LINES = 20


class BundleCommandError(Exception):
    """A `databricks bundle ...` command exited non-zero or printed what it should not."""


@dataclass(frozen=True)
class Done:
    returncode: int
    stdout: str
    stderr: str


def _stop(process: subprocess.Popen[str]) -> tuple[str, str]:
    """Stop the process and its children (its own session); what it printed so far."""
    for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 3.0)):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, sig)
        try:
            return process.communicate(timeout=wait)
        except subprocess.TimeoutExpired:
            continue
    return "", ""


def run_bounded(
    command: list[str], cwd: Path | None, deadline: Deadline, limit_s: float | None = None
) -> Done:
    """Run `command` to its end, or stop it at the deadline (or after `limit_s`) and raise."""
    shown = "databricks " + " ".join(command[1:])
    wait = deadline.left() if limit_s is None else min(limit_s, deadline.left())
    if wait <= 0:
        raise deadline.reached(f"`{shown}` was not started")
    process = subprocess.Popen(
        command,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        stdout, stderr = process.communicate(timeout=None if wait == float("inf") else wait)
    except subprocess.TimeoutExpired:
        _stop(process)
        if limit_s is not None and limit_s < deadline.left():
            raise ConfigurationError(
                f"`{shown}` did not answer within {limit_s:g} s; is the CLI working?"
            ) from None
        raise deadline.reached(f"`{shown}` was still running (stopped it)") from None
    return Done(process.returncode, stdout, stderr)


def _tail(text: str) -> str:
    lines = redact(text).strip().splitlines()
    return "\n".join(lines[-_STDERR_LINES:])


@dataclass(frozen=True)
class BundleCli:
    executable: str
    project: Path
    deadline: Deadline = field(default_factory=lambda: Deadline(make_clock(), None), compare=False)

    @classmethod
    def find(cls, project: Path, deadline: Deadline | None = None) -> BundleCli:
        """The CLI on PATH, refusing the legacy PyPI `databricks-cli` and versions before 0.281."""
        deadline = deadline or Deadline(make_clock(), None)
        executable = shutil.which("databricks")
        if executable is None:
            raise ConfigurationError(
                "no `databricks` CLI on PATH: install it (https://docs.databricks.com/dev-tools/cli/install)"
            )
        shown = run_bounded([executable, "--version"], None, deadline, PROBE_TIMEOUT_S)
        found = re.search(r"(\d+)\.(\d+)\.(\d+)", shown.stdout + shown.stderr)
        version = tuple(int(p) for p in found.groups()) if found else (0, 0, 0)
        if version < (0, 200, 0):
            raise ConfigurationError(
                f"{executable} is version {'.'.join(map(str, version))}: this looks like the legacy "
                "`databricks-cli` from PyPI, which has no `bundle` command. Uninstall it "
                "(pip uninstall databricks-cli) and install the Databricks CLI >= 0.281."
            )
        if version < MIN_VERSION:
            raise ConfigurationError(
                f"{executable} is version {'.'.join(map(str, version))}: this bundle needs the "
                "Databricks CLI >= 0.281 (a dashboard's dataset_catalog, SQL alerts); "
                "upgrade it (https://docs.databricks.com/dev-tools/cli/install)."
            )
        helped = run_bounded([executable, "bundle", "--help"], None, deadline, PROBE_TIMEOUT_S)
        if helped.returncode != 0:
            said = _tail(helped.stderr or helped.stdout).splitlines()
            raise ConfigurationError(
                f"`{executable} bundle --help` failed ({helped.returncode}"
                f"{': ' + said[-1] if said else ''}): this CLI has no working `bundle` command; "
                "install the Databricks CLI >= 0.281"
            )
        return cls(executable, project, deadline)

    def run(self, *args: str) -> str:
        """Run `databricks <args>` in the project folder; stdout, or BundleCommandError with stderr."""
        done = run_bounded([self.executable, *args], self.project, self.deadline)
        if done.returncode != 0:
            raise BundleCommandError(
                f"databricks {' '.join(args)} failed ({done.returncode}):\n{_tail(done.stderr)}"
            )
        return done.stdout

    def json(self, *args: str) -> dict[str, Any]:
        """The JSON object a command prints with `-o json`; BundleCommandError if it prints anything else."""
        text = self.run(*args, "-o", "json")
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            first = redact(text.strip().splitlines()[0])[:200] if text.strip() else "(nothing)"
            raise BundleCommandError(
                f"databricks {' '.join(args)} -o json printed no JSON ({error.msg} at line {error.lineno}); "
                f"it began: {first}"
            ) from None
        if not isinstance(value, dict):
            raise BundleCommandError(
                f"databricks {' '.join(args)} -o json printed a JSON {type(value).__name__}, not an object"
            )
        return value


def only_key(resources: dict[str, Any], kind: str, wanted: str | None) -> str:
    """The resource key asked for, or the only one of its kind."""
    keys = sorted(resources)
    if wanted:
        if wanted not in resources:
            raise ConfigurationError(
                f"no {kind} {wanted!r} in the bundle; it has: {', '.join(keys) or 'none'}"
            )
        return wanted
    if len(keys) != 1:
        raise ConfigurationError(
            f"the bundle has {len(keys)} {kind}s ({', '.join(keys)}): choose one with --{kind}"
        )
    return keys[0]


def pipeline_job_key(jobs: dict[str, Any], wanted: str | None) -> str:
    """The job asked for; else the one job that runs a pipeline (the setup job does not)."""
    if wanted or len(jobs) <= 1:
        return only_key(jobs, "job", wanted)
    running = {key: body for key, body in jobs.items() if _runs_a_pipeline(body)}
    return only_key(running if len(running) == 1 else jobs, "job", None)


def _runs_a_pipeline(job: dict[str, Any]) -> bool:
    return any("pipeline_task" in task for task in job.get("tasks", []))
