"""`python_wheel_task`: the task's environment (built wheels + registry packages) and its entry
point called the way Databricks calls it.

The call: the Jobs API's python_wheel_task ("package_name", "entry_point", "parameters": the
entry point of the installed package, called with `sys.argv = [package_name, *parameters]`,
named parameters as `key=value`); its return value is ignored, and the task fails only when the
call raises or exits with a non-zero code. (databricks/cli `bundle/trampoline/python_wheel.go` is
NOT the platform: it is the CLI's opt-in notebook wrapper for old runtimes; it is read here only
for the same argv convention.)

Serverless jobs: a wheel task names an `environment_key`; the job's `environments[].spec.
dependencies` (local wheel paths or requirement strings) are installed for it on top of the
serverless environment version's preinstalled libraries (docs: "Configure environment for job
tasks", release notes "Environment version 4"); we install them into a virtual environment of
this interpreter, which stands in for those preinstalled libraries without pinning their
versions. The wheel: with `dynamic_version` the CLI patches a new version into every job wheel
at each deploy (databricks/cli bundle/libraries/switch_to_patched_wheels.go), so each deploy's
wheel is installed anew; without it a wheel of an already installed version is not reinstalled
(databricks/cli#1621), which artifacts.environment models by keying on the file name.
"""

from __future__ import annotations

import json
import os
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from tests.support.emulator.artifacts import build_artifacts, environment
from tests.support.emulator.jobs import TaskContext, TaskOutcome
from tests.support.emulator.privileges import PrivilegeModel, volume_needs
from tests.support.emulator.task_paths import VOLUME_PATH, Target, identity_of

# What the trampoline does, as a script run by the environment's interpreter (argv[1] is JSON).
CALL_ENTRY_POINT = """
import json, sys
from importlib import metadata
spec = json.loads(sys.argv[1])
sys.argv = [spec["package_name"], *spec["parameters"]]
points = metadata.distribution(spec["package_name"]).entry_points
found = [ep for ep in points if ep.name == spec["entry_point"]]
if not found:
    raise ImportError("Entry point '%s' not found" % spec["entry_point"])
found[0].load()()
"""

WRITE_OPTIONS = ("--out", "--output", "--output-dir", "--root")  # arguments the task writes to (our reading)
TIMEOUT_S = 900


def environment_spec(job: dict[str, Any], key: str | None) -> dict[str, Any]:
    for env in job.get("environments") or []:
        if env.get("environment_key") == key:
            return env.get("spec") or {}
    return {}


def split_dependencies(target: Target, dependencies: list[str]) -> tuple[list[Path], list[str]]:
    """Local files (wheels the deploy built and uploaded) and registry requirements."""
    files: list[Path] = []
    requirements: list[str] = []
    for item in dependencies:
        text = str(item)
        if text.endswith(".whl") or "/" in text or text.startswith("."):
            path = target.bundle_path(text)
            matches = sorted(path.parent.glob(path.name)) if "*" in path.name else [path]
            if not matches or not all(m.exists() for m in matches):
                raise FileNotFoundError(f"environment dependency {text} matches no file ({path})")
            files += matches
        else:
            requirements.append(text)
    return files, requirements


def volume_arguments(parameters: list[str]) -> list[tuple[str, bool]]:
    """(volume path, written?) for every /Volumes argument of the task."""
    found = []
    for index, value in enumerate(parameters):
        if VOLUME_PATH.match(value):
            written = index > 0 and parameters[index - 1] in WRITE_OPTIONS
            found.append((value, written))
    return found


class WheelTasks:
    """The executor for `python_wheel_task` of one deployed target."""

    def __init__(self, target: Target, privileges: PrivilegeModel | None = None) -> None:
        self.target = target
        self.privileges = privileges
        self.calls: list[dict[str, Any]] = []

    def __call__(self, task: dict[str, Any], ctx: TaskContext) -> TaskOutcome:
        wheel = task["python_wheel_task"]
        parameters = [str(p) for p in wheel.get("parameters") or []]
        parameters += [f"{k}={v}" for k, v in (wheel.get("named_parameters") or {}).items()]
        identity = identity_of(ctx.job, self.target.deployer)
        if self.privileges is not None:
            for path, written in volume_arguments(parameters):
                match = VOLUME_PATH.match(path)
                assert match is not None
                needs = volume_needs(match["catalog"], match["schema"], match["volume"], written)
                missing = self.privileges.missing(identity, needs)
                if missing:
                    return TaskOutcome(False, missing[0].denied(), exit_code=None)
        build_artifacts(self.target.project, self.target.bundle.get("artifacts") or {})
        spec = environment_spec(ctx.job, task.get("environment_key"))
        files, requirements = split_dependencies(self.target, list(spec.get("dependencies") or []))
        python = environment(requirements, files, by_version=not self.patched_wheels())
        local = [self.target.map_argument(p) for p in parameters]
        call = {
            "package_name": wheel["package_name"],
            "entry_point": wheel["entry_point"],
            "parameters": local,
        }
        self.calls.append({"task_key": task["task_key"], "identity": identity, **call})
        done = subprocess.run(
            [str(python), "-c", CALL_ENTRY_POINT, json.dumps(call)],
            cwd=tempfile.mkdtemp(prefix="wheel-task-"),
            env=self.environment(identity),
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        output = done.stdout + done.stderr
        tail = "\n".join(output.strip().splitlines()[-5:])
        if done.returncode == 0:
            return TaskOutcome(True, "entry point returned", output, 0)
        return TaskOutcome(
            False, f"entry point exited with code {done.returncode}: {tail}", output, done.returncode
        )

    def patched_wheels(self) -> bool:
        """Whether the deploy patched the job's wheels with a new version (dynamic_version)."""
        artifacts = self.target.bundle.get("artifacts") or {}
        return any(bool((body or {}).get("dynamic_version")) for body in artifacts.values())

    def environment(self, identity: str) -> dict[str, str]:
        """A clean process environment: the workspace's host and the token of the identity the
        task runs as (a job task authenticates as its run_as), nothing of ours."""
        keep = {
            k: v
            for k, v in os.environ.items()
            if k in ("PATH", "HOME", "LANG", "LC_ALL", "TMPDIR", "JAVA_HOME")
        }
        env = keep | {"PYTHONUNBUFFERED": "1", "PYTHONWARNINGS": "ignore::FutureWarning"}
        if self.target.host:
            token = self.target.token_for(identity) if self.target.token_for else self.target.token
            env |= {"DATABRICKS_HOST": self.target.host, "DATABRICKS_TOKEN": token or ""}
        return env
