"""The generated wheel's `medallion` entry point, called the way a Databricks wheel task calls it.

A `python_wheel_task` looks the entry point up by name in the installed distribution's
metadata and calls the function; what it returns is ignored, only an exception or a non-zero
`sys.exit` fails the task (databricks/cli bundle/trampoline/python_wheel.go shows the call:
`sys.argv = [package, *parameters]`, then `entry[0].load()()`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from medallion.cli import COMMANDS
from tests.rendering import DEFAULT_ANSWERS, render_project
from tests.support.emulator.task_wheel import CALL_ENTRY_POINT
from tests.support.wheel import build_wheel, install_wheel


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The default render, its wheel built as the bundle's artifact says, installed in a folder."""
    project = render_project(DEFAULT_ANSWERS, tmp_path_factory.mktemp("entry_render"))
    return project, install_wheel(build_wheel(project), tmp_path_factory.mktemp("site"))


def wheel_task(installed: tuple[Path, Path], *parameters: str) -> subprocess.CompletedProcess[str]:
    """Run the `medallion` entry point of the installed wheel with a task's parameters."""
    project, site = installed
    env = {**os.environ, "PYTHONPATH": str(site)}
    call = {"package_name": project.name, "entry_point": "medallion", "parameters": list(parameters)}
    command = [sys.executable, "-c", CALL_ENTRY_POINT, json.dumps(call)]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=300)


def dev_task_parameters(project: Path, task_key: str) -> list[str]:
    """The parameters of a task the dev target adds to the job (targets.dev in the job file)."""
    for path in sorted((project / "resources").glob("*.job.yml")):
        jobs = yaml.safe_load(path.read_text()).get("targets", {}).get("dev", {}).get("resources", {})
        for job in jobs.get("jobs", {}).values():
            for task in job["tasks"]:
                if task["task_key"] == task_key:
                    return task["python_wheel_task"]["parameters"]
    raise AssertionError(f"no dev task {task_key} in {project / 'resources'}")


def test_failed_verdict_fails_the_wheel_task(installed: tuple[Path, Path], tmp_path: Path) -> None:
    """A first-deploy defect: main() returned 1 for a FAILED verdict and the task stayed green."""
    report = {"status": "FAILED", "duration_s": 3.0, "tables": {}, "rules": [], "duplicates": {}}
    path = tmp_path / "run-report.json"
    path.write_text(json.dumps(report))
    done = wheel_task(installed, "monitor", "--local", "--report-json-in", str(path), "--brief")
    assert "FAILED" in done.stdout, done.stdout + done.stderr
    assert done.returncode == 1, done.stdout + done.stderr


def test_success_exits_zero(installed: tuple[Path, Path], tmp_path: Path) -> None:
    done = wheel_task(installed, "sample-data", "--out", str(tmp_path / "landing"))
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "landing" / "manifest.json").is_file()


def test_local_tools_say_so_from_the_wheel(installed: tuple[Path, Path]) -> None:
    """The wheel leaves medallion/tooling out: a tool run from it is one line and exit 2, not a
    traceback (ModuleNotFoundError) in a job run's log."""
    tools = sorted(name for name, (module, _) in COMMANDS.items() if module.startswith("medallion.tooling."))
    assert {"run-local", "deploy", "infer", "validate", "upgrade"} <= set(tools)
    for name in tools:
        done = wheel_task(installed, name, "--help")
        assert done.returncode == 2, f"{name}: {done.stdout}{done.stderr}"
        assert not done.stdout and done.stderr.count("\n") == 1, f"{name}: {done.stdout}{done.stderr}"
        assert done.stderr.startswith(f"medallion {name}: a local tool, not part of the deployed wheel; ")
        assert "project checkout" in done.stderr


def test_dev_sample_task_parameters_are_accepted(installed: tuple[Path, Path], tmp_path: Path) -> None:
    """A first-deploy defect: load_sample_data passed --if-empty, which sample-data did not define
    (argparse exit 2), so the dev job failed on its first task and never ran the pipeline."""
    project, _ = installed
    parameters = dev_task_parameters(project, "load_sample_data")
    volume = tmp_path / "landing"
    out = parameters.index("--out") + 1
    assert parameters[out].startswith("/Volumes/"), parameters
    parameters[out] = str(volume)
    spec = parameters.index("--spec") + 1
    assert parameters[spec] == "${workspace.file_path}/medallion.yml", "the deployed spec decides the format"
    parameters[spec] = str(project / "medallion.yml")
    first = wheel_task(installed, *parameters)
    assert first.returncode == 0, first.stdout + first.stderr
    written = sorted(p.relative_to(volume) for p in volume.rglob("*") if p.is_file())
    assert {p.parts[0] for p in written} >= {"customers", "products", "orders"}
    second = wheel_task(installed, *parameters)
    assert second.returncode == 0, second.stdout + second.stderr
    assert "--if-empty" in parameters and "already holds files" in second.stdout
    assert sorted(p.relative_to(volume) for p in volume.rglob("*") if p.is_file()) == written


def test_dev_sample_follows_the_spec_not_the_prompt(installed: tuple[Path, Path], tmp_path: Path) -> None:
    """A reported defect: the format was written into the job at render time; editing medallion.yml left
    the dev job writing the old format. The task now reads the deployed spec."""
    project, _ = installed
    document = yaml.safe_load((project / "medallion.yml").read_text())
    document["defaults"]["source"]["format"] = "csv"
    edited = tmp_path / "medallion.yml"
    edited.write_text(yaml.safe_dump(document, sort_keys=False))
    volume = tmp_path / "landing"
    done = wheel_task(installed, "sample-data", "--out", str(volume), "--spec", str(edited), "--if-empty")
    assert done.returncode == 0, done.stdout + done.stderr
    assert {p.suffix for p in volume.rglob("part-*")} == {".csv"}

    document["sources"] = {"invoices": {**document["sources"]["orders"], "references": []}}
    document["gold"] = {}
    edited.write_text(yaml.safe_dump(document, sort_keys=False))
    other = tmp_path / "other"
    done = wheel_task(installed, "sample-data", "--out", str(other), "--spec", str(edited))
    assert done.returncode == 0 and "nothing written" in done.stdout, done.stdout + done.stderr
    assert not other.exists()
