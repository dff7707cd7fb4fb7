"""nutter data tests: the per-layer fixtures pass on the local engine's tables (in nutter's own venv)."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.template.conftest import ProjectSuite

REPO_ROOT = Path(__file__).resolve().parents[2]
NUTTER_VENV = REPO_ROOT / ".cache" / "nutter-venv"  # reused across runs; nutter never joins .venv
NOTEBOOKS = ("test_bronze", "test_silver", "test_gold")


@pytest.fixture(scope="module")
def ran_project(retail_project_suite: ProjectSuite) -> Path:
    """The default project rendered and run locally (by its own test suite: a full refresh,
    then an incremental run); its last run COMPLETED."""
    project = retail_project_suite.project
    last = project / ".medallion" / "run-report.json"
    assert last.exists(), retail_project_suite.result.stdout[-4000:]
    assert json.loads(last.read_text())["status"] == "COMPLETED", retail_project_suite.result.stdout[-4000:]
    return project


def drive(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """tests/nutter/run_local.py, started from this interpreter (it re-runs itself in nutter's venv)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    command = [sys.executable, "tests/nutter/run_local.py", "--venv", str(NUTTER_VENV), *args]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=900)


@pytest.mark.pipeline
def test_fixtures_pass_on_local_tables(ran_project: Path) -> None:
    result = drive(ran_project)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for name in NOTEBOOKS:
        assert f"{name}: PASSED" in result.stdout
    assert "conservation" in output and "PASSED" in output


@pytest.mark.pipeline
def test_fixtures_fail_when_tables_are_missing(ran_project: Path) -> None:
    result = drive(ran_project, "--schema", "no_such_schema", "--only", "test_bronze")
    assert result.returncode == 1
    assert "test_bronze: FAILED" in result.stdout
    assert "missing bronze tables" in result.stdout + result.stderr


def test_notebooks_are_databricks_source_with_nutter_fixtures() -> None:
    folder = REPO_ROOT / "template" / "{{.project_name}}" / "tests" / "nutter"
    for name in (*NOTEBOOKS, "run_all"):
        text = (folder / f"{name}.py").read_text()
        assert text.startswith("# Databricks notebook source\n"), name
        ast.parse(text)
    for name in NOTEBOOKS:
        tree = ast.parse((folder / f"{name}.py").read_text())
        bases = [b.id for node in ast.walk(tree) if isinstance(node, ast.ClassDef) for b in node.bases]
        assert bases == ["NutterFixture"], name
    run_all = (folder / "run_all.py").read_text()
    assert "%pip install --quiet nutter==0.1.35" in run_all
    assert [line.split()[-1] for line in run_all.splitlines() if "%run" in line] == [
        f"./{n}" for n in NOTEBOOKS
    ]


def test_job_runs_the_data_tests_after_the_pipeline(render_answers) -> None:
    project = render_answers()
    jobs = yaml.safe_load((project / "resources" / "medallion_pipeline.job.yml").read_text())["resources"][
        "jobs"
    ]
    tasks = {t["task_key"]: t for job in jobs.values() for t in job["tasks"]}
    data_tests = tasks["data_tests"]
    assert data_tests["depends_on"] == [{"task_key": "run_pipeline"}]
    assert data_tests["notebook_task"]["notebook_path"] == "../tests/nutter/run_all.py"
    assert set(data_tests["notebook_task"]["base_parameters"]) == {"catalog", "schema", "bundle_root"}
    assert "environment_key" not in data_tests  # serverless notebook tasks install with %pip
    assert (project / "tests" / "nutter" / "run_all.py").exists()
