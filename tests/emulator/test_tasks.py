"""Task executors on small projects: a wheel task is judged by its exit code, not its return value."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.support.emulator.jobs import FAILED, SUCCESS, JobRunner
from tests.support.emulator.privileges import PrivilegeModel, Securable
from tests.support.emulator.task_notebook import SqlTasks
from tests.support.emulator.task_paths import Target
from tests.support.emulator.task_pipeline import PipelineTasks, platform_error
from tests.support.emulator.task_wheel import WheelTasks

MODULE = """
import sys
from pathlib import Path


def returns_one():
    print("returning 1")
    return 1


def exits_one():
    print("exiting with 1")
    sys.exit(1)


def writes():
    out = Path(sys.argv[sys.argv.index("--out") + 1])
    out.mkdir(parents=True, exist_ok=True)
    (out / "hello.txt").write_text(" ".join(sys.argv))
"""


@pytest.fixture(scope="module")
def wheel_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("wheelproj")
    (root / "src" / "tiny").mkdir(parents=True)
    (root / "src" / "tiny" / "__init__.py").write_text(MODULE)
    (root / "pyproject.toml").write_text(
        textwrap.dedent(
            """
            [project]
            name = "tiny"
            version = "0.1.0"
            [project.scripts]
            returns_one = "tiny:returns_one"
            exits_one = "tiny:exits_one"
            writes = "tiny:writes"
            [build-system]
            requires = ["hatchling"]
            build-backend = "hatchling.build"
            [tool.hatch.build.targets.wheel]
            packages = ["src/tiny"]
            """
        )
    )
    return root


def bundle() -> dict:
    return {
        "artifacts": {"tiny": {"type": "whl", "build": "uv build --wheel", "path": "."}},
        "workspace": {"file_path": "/Workspace/Users/me/.bundle/tiny/dev/files"},
        "resources": {
            "volumes": {"landing": {"catalog_name": "main", "schema_name": "s", "name": "landing"}}
        },
    }


def job(entry_point: str, *parameters: str) -> dict:
    return {
        "name": "tiny_job",
        "tasks": [
            {
                "task_key": "t",
                "environment_key": "default",
                "python_wheel_task": {
                    "package_name": "tiny",
                    "entry_point": entry_point,
                    "parameters": list(parameters),
                },
            }
        ],
        "environments": [
            {
                "environment_key": "default",
                "spec": {"environment_version": "4", "dependencies": ["./dist/*.whl"]},
            }
        ],
    }


def run(
    project: Path,
    tmp_path: Path,
    entry_point: str,
    *parameters: str,
    privileges: PrivilegeModel | None = None,
):
    target = Target(project, bundle(), tmp_path / "state", deployer="me@example.com")
    runner = JobRunner({"python_wheel_task": WheelTasks(target, privileges)})
    return runner.run(job(entry_point, *parameters)), target


def test_a_returned_1_does_not_fail_the_task(wheel_project, tmp_path):
    result, _ = run(wheel_project, tmp_path, "returns_one")
    assert result.tasks["t"].result_state == SUCCESS, result.tasks["t"].state_message
    assert "returning 1" in result.tasks["t"].output


def test_sys_exit_1_fails_the_task(wheel_project, tmp_path):
    result, _ = run(wheel_project, tmp_path, "exits_one")
    assert result.tasks["t"].result_state == FAILED
    assert result.tasks["t"].exit_code == 1
    assert result.result_state == FAILED


def test_volume_arguments_land_in_the_volume_the_bundle_creates(wheel_project, tmp_path):
    result, target = run(wheel_project, tmp_path, "writes", "--out", "/Volumes/main/s/landing/raw")
    assert result.tasks["t"].result_state == SUCCESS, result.tasks["t"].state_message
    written = target.volume_dir("main", "s", "landing") / "raw" / "hello.txt"
    assert written.read_text().startswith("tiny --out ")  # sys.argv[0] is the package name


def test_a_volume_nobody_created_cannot_be_written(wheel_project, tmp_path):
    result, _ = run(wheel_project, tmp_path, "writes", "--out", "/Volumes/main/other/landing/raw")
    assert result.tasks["t"].result_state == FAILED
    assert "NotADirectoryError" in result.tasks["t"].output


def test_writing_a_volume_needs_write_volume(wheel_project, tmp_path):
    privileges = PrivilegeModel()
    privileges.grant(Securable("CATALOG", "main"), "me@example.com", ["USE CATALOG", "USE SCHEMA"])
    result, _ = run(
        wheel_project, tmp_path, "writes", "--out", "/Volumes/main/s/landing/raw", privileges=privileges
    )
    assert result.tasks["t"].result_state == FAILED
    assert result.tasks["t"].state_message == (
        "PERMISSION_DENIED: User does not have WRITE VOLUME on Volume 'main.s.landing'."
    )
    privileges.grant(Securable("SCHEMA", "main.s"), "me@example.com", ["WRITE_VOLUME"])
    result, _ = run(
        wheel_project, tmp_path, "writes", "--out", "/Volumes/main/s/landing/raw", privileges=privileges
    )
    assert result.tasks["t"].result_state == SUCCESS


def pipeline_bundle(source_location: str, run_as: dict | None = None) -> dict:
    pipeline = {
        "name": "[dev me] retail",
        "catalog": "main",
        "schema": "dev_me_retail",
        "configuration": {"medallion.source_location": source_location},
        "libraries": [
            {
                "glob": {
                    "include": "/Workspace/Users/me/.bundle/retail/dev/files/src/retail/transformations/**"
                }
            }
        ],
    }
    if run_as:
        pipeline["run_as"] = run_as
    return {
        "workspace": {"file_path": "/Workspace/Users/me/.bundle/retail/dev/files"},
        "resources": {
            "pipelines": {"retail": pipeline},
            "schemas": {"s": {"catalog_name": "main", "name": "dev_me_retail"}},
            "volumes": {
                "landing": {"catalog_name": "main", "schema_name": "dev_me_retail", "name": "landing"}
            },
        },
    }


def pipeline_run(tmp_path: Path, source_location: str, privileges: PrivilegeModel | None = None, run_as=None):
    target = Target(
        tmp_path,
        pipeline_bundle(source_location, run_as),
        tmp_path / "state",
        deployer=ME,
        resource_ids={("pipelines", "retail"): "p-1"},
    )
    tasks = PipelineTasks(target, privileges)
    seen: list[str] = []
    tasks.listeners.append(lambda update: seen.append(update.state))
    job = {"name": "j", "tasks": [{"task_key": "run_pipeline", "pipeline_task": {"pipeline_id": "p-1"}}]}
    return JobRunner({"pipeline_task": tasks}).run(job), tasks, seen


ME = "me@example.com"


def test_a_pipeline_reading_a_volume_the_bundle_does_not_create_fails_before_spark(tmp_path):
    result, tasks, seen = pipeline_run(tmp_path, "/Volumes/main/retail/landing")  # unprefixed schema
    assert result.tasks["run_pipeline"].result_state == FAILED
    assert seen == ["RUNNING", "FAILED"]
    assert "Volume 'main.retail.landing' does not exist" in tasks.updates[0].errors[0]


def test_a_pipeline_identity_without_create_materialized_view_is_denied(tmp_path):
    privileges = PrivilegeModel()
    privileges.apply_bundle(pipeline_bundle("x"), ME)
    privileges.grant(Securable("CATALOG", "main"), "sp-1", ["USE CATALOG"])
    privileges.grant(Securable("SCHEMA", "main.dev_me_retail"), "sp-1", ["USE SCHEMA", "CREATE TABLE"])
    source = "/Volumes/main/dev_me_retail/landing"
    result, tasks, _ = pipeline_run(tmp_path, source, privileges, {"service_principal_name": "sp-1"})
    assert result.tasks["run_pipeline"].result_state == FAILED
    assert tasks.updates[0].errors == [
        "PERMISSION_DENIED: User does not have CREATE MATERIALIZED VIEW on Schema 'main.dev_me_retail'."
    ]


def test_the_setup_job_records_its_grants_as_the_job_identity(tmp_path):
    (tmp_path / "sql").mkdir()
    (tmp_path / "sql" / "setup.sql").write_text("GRANT USE CATALOG ON CATALOG `main` TO `sp-1`;\n")
    target = Target(
        tmp_path, {"workspace": {"file_path": "/Workspace/x/files"}}, tmp_path / "state", deployer=ME
    )
    privileges = PrivilegeModel()
    job = {
        "name": "setup",
        "tasks": [
            {
                "task_key": "setup_sql",
                "sql_task": {"warehouse_id": "w", "file": {"path": "/Workspace/x/files/sql/setup.sql"}},
            }
        ],
    }
    result = JobRunner({"sql_task": SqlTasks(target, privileges)}).run(job)
    assert result.tasks["setup_sql"].result_state == SUCCESS
    assert privileges.has("sp-1", "USE CATALOG", Securable("CATALOG", "main"))
    assert privileges.log[-1].endswith(f"(SQL run by {ME})")


def test_a_delta_source_needs_select_on_its_schema(tmp_path):
    privileges = PrivilegeModel()
    privileges.apply_bundle(pipeline_bundle("x"), ME)
    privileges.grant(Securable("CATALOG", "main"), ME, ["USE CATALOG"])
    privileges.grant(Securable("CATALOG", "raw"), ME, ["USE CATALOG", "USE SCHEMA"])
    _, tasks, _ = pipeline_run(tmp_path, "raw.sales", privileges)
    assert tasks.updates[0].errors == ["PERMISSION_DENIED: User does not have SELECT on Schema 'raw.sales'."]


def test_the_local_fail_guard_is_reported_as_the_platform_expectation_violation():
    found = platform_error(
        "pyspark.errors.exceptions.connect.StreamingQueryException: [STREAM_FAILED] ... "
        "[USER_RAISED_EXCEPTION] fail rule violated in silver_customers_history: valid_email_email, x "
        "SQLSTATE: P0001"
    )
    assert found["dataset"] == "silver_customers_history"
    assert str(found["exception_message"]).startswith(
        "[EXPECTATION_VIOLATION.VERBOSITY_ALL] Flow 'silver_customers_history' failed to meet the "
        "expectation. Violated expectations: 'valid_email_email, x'."
    )
    assert platform_error("PERMISSION_DENIED: nope")["message"] == "PERMISSION_DENIED: nope"
