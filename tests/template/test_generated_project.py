"""The generated project's own tests pass as rendered: its pytest suite, then its nutter data tests
on the tables that suite's local runs left (one render and one run, `retail_project_suite`, with
its runs on the session's shared server through MEDALLION_TEST_REMOTE); and its editor stubs
stay complete."""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.connect_server import free_port
from tests.support.recording_dp import EXPECT_DECORATORS
from tests.template.conftest import ProjectSuite, project_pytest

REPO_ROOT = Path(__file__).resolve().parents[2]
STUB = REPO_ROOT / "template" / "{{.project_name}}" / "typings" / "pyspark" / "pipelines" / "__init__.pyi"
DATABRICKS_ONLY = set(EXPECT_DECORATORS)  # Databricks' expect* decorators, absent from the OSS module
NUTTER_VENV = REPO_ROOT / ".cache" / "nutter-venv"  # reused across runs; nutter never joins .venv
NOTEBOOKS = ("test_bronze", "test_silver", "test_gold")


def test_fast_tests_pass_for_a_custom_spec(render_answers) -> None:
    project = render_answers(source_tables="invoices, payments", include_sample_data="no", ci="none")
    result = project_pytest(project, "-m", "not pipeline")
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]


@pytest.mark.pipeline
def test_full_suite_passes_on_the_retail_sample(retail_project_suite: ProjectSuite) -> None:
    """Two local runs (full refresh + incremental): COMPLETED, tables, conservation, rule figures."""
    result = retail_project_suite.result
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "skipped" not in result.stdout.splitlines()[-1], result.stdout[-2000:]


@pytest.fixture(scope="module")
def ran_project(retail_project_suite: ProjectSuite) -> Path:
    """The default project rendered and run locally (by its own test suite: a full refresh,
    then an incremental run); its last run COMPLETED."""
    project = retail_project_suite.project
    last = project / ".medallion" / "run-report.json"
    assert last.exists(), retail_project_suite.result.stdout[-4000:]
    report = json.loads(last.read_text())
    assert report["status"] == "COMPLETED", retail_project_suite.result.stdout[-4000:]
    assert report["server"] == {
        "url": retail_project_suite.remote,
        "kind": "remote",
        "warm": False,
        "database": project.name,
    }, "MEDALLION_TEST_REMOTE did not send the project's runs to the shared server"
    return project


def drive(project: Path, remote: str, *args: str) -> subprocess.CompletedProcess[str]:
    """tests/nutter/run_local.py on the tables of the project's runs on `remote`, started from
    this interpreter (it re-runs itself in nutter's venv)."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    command = [
        sys.executable,
        "tests/nutter/run_local.py",
        "--venv",
        str(NUTTER_VENV),
        "--remote",
        remote,
        *args,
    ]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True, timeout=900)


@pytest.mark.pipeline
def test_nutter_fixtures_pass_on_local_tables(ran_project: Path, retail_project_suite: ProjectSuite) -> None:
    result = drive(ran_project, retail_project_suite.remote)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    for name in NOTEBOOKS:
        assert f"{name}: PASSED" in result.stdout
    assert "conservation" in output and "PASSED" in output


@pytest.mark.pipeline
def test_nutter_fixtures_fail_when_tables_are_missing(
    ran_project: Path, retail_project_suite: ProjectSuite
) -> None:
    result = drive(
        ran_project, retail_project_suite.remote, "--schema", "no_such_schema", "--only", "test_bronze"
    )
    assert result.returncode == 1
    assert "test_bronze: FAILED" in result.stdout
    assert "missing bronze tables" in result.stdout + result.stderr


@pytest.mark.pipeline
def test_nutter_names_a_remote_that_does_not_answer(ran_project: Path) -> None:
    """No server on the port: one line and exit 2 at once, not pyspark's ten minutes of retries."""
    port = free_port()
    started = time.monotonic()
    result = drive(ran_project, f"sc://127.0.0.1:{port}", "--only", "test_bronze")
    assert result.returncode == 2, result.stdout + result.stderr
    assert f"--remote sc://127.0.0.1:{port}: no Spark Connect server answers there" in result.stderr
    assert time.monotonic() - started < 120


def stub_names() -> set[str]:
    tree = ast.parse(STUB.read_text())
    return {node.name for node in tree.body if isinstance(node, ast.FunctionDef)}


def test_stubs_cover_the_oss_api_and_databricks_names() -> None:
    import pyspark.pipelines as dp

    assert set(dp.__all__) | DATABRICKS_ONLY <= stub_names()


def test_stubs_take_the_parameters_of_the_oss_api() -> None:
    import inspect

    import pyspark.pipelines as dp

    tree = ast.parse(STUB.read_text())
    declared: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef):
            args = node.args
            names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
            declared.setdefault(node.name, set()).update(names)
    for name in dp.__all__:
        real = set(inspect.signature(getattr(dp, name)).parameters) - {"query_function"}
        assert real <= declared[name], f"{name}: stub lacks {real - declared[name]}"
