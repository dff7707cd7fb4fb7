"""The real `databricks` CLI (>= 0.268, with `bundle`), found on PATH and run as a subprocess."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medallion.monitor.connect import ConfigurationError

# The rendered bundle's minimum, as min_databricks_cli_version in databricks_template_schema.json
# (tests/bundle/test_min_cli_version.py derives it from the CLI's bundle schema at each release).
MIN_VERSION = (0, 268, 0)


class BundleCommandError(Exception):
    """A `databricks bundle ...` command exited non-zero."""


@dataclass(frozen=True)
class BundleCli:
    executable: str
    project: Path

    @classmethod
    def find(cls, project: Path) -> BundleCli:
        """The CLI on PATH, refusing the legacy PyPI `databricks-cli` and versions before 0.268."""
        executable = shutil.which("databricks")
        if executable is None:
            raise ConfigurationError(
                "no `databricks` CLI on PATH: install it (https://docs.databricks.com/dev-tools/cli/install)"
            )
        shown = subprocess.run([executable, "--version"], capture_output=True, text=True, check=False)
        found = re.search(r"(\d+)\.(\d+)\.(\d+)", shown.stdout + shown.stderr)
        version = tuple(int(p) for p in found.groups()) if found else (0, 0, 0)
        if version < (0, 200, 0):
            raise ConfigurationError(
                f"{executable} is version {'.'.join(map(str, version))}: this looks like the legacy "
                "`databricks-cli` from PyPI, which has no `bundle` command. Uninstall it "
                "(pip uninstall databricks-cli) and install the Databricks CLI >= 0.268."
            )
        if version < MIN_VERSION:
            raise ConfigurationError(
                f"{executable} is version {'.'.join(map(str, version))}: this bundle needs the "
                "Databricks CLI >= 0.268 (pipeline environments, lifecycle.prevent_destroy); "
                "upgrade it (https://docs.databricks.com/dev-tools/cli/install)."
            )
        helped = subprocess.run([executable, "bundle", "--help"], capture_output=True, text=True, check=False)
        if helped.returncode != 0:
            raise ConfigurationError(
                f"{executable} has no `bundle` command; install the Databricks CLI >= 0.268"
            )
        return cls(executable, project)

    def run(self, *args: str) -> str:
        """Run `databricks <args>` in the project folder; stdout, or BundleCommandError with stderr."""
        done = subprocess.run(
            [self.executable, *args], cwd=self.project, capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise BundleCommandError(
                f"databricks {' '.join(args)} failed ({done.returncode}):\n{done.stderr.strip()}"
            )
        return done.stdout

    def json(self, *args: str) -> dict[str, Any]:
        return json.loads(self.run(*args, "-o", "json"))


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
