"""Who deploys and who runs each target, checked on the resolved bundle (no Spark): the run_as
principal's grants and file access exist where it runs and nowhere else, notifications reach a
person, and the pipeline and the job run the helpers of the latest deploy."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.rendering import render, render_project
from tests.support.emulator import resolve_target
from tests.support.emulator.artifacts import environment
from tests.support.emulator.pipeline_code import code_path, runnable
from tests.support.emulator.privileges import Securable
from tests.support.emulator.server import Emulator
from tests.support.emulator.task_wheel import split_dependencies

CI = "3b0c6f0e-7d2a-4c1e-9a55-0f1e2d3c4b5a"
SP = "8f3c2a71-1b2c-4d5e-9f00-123456789abc"
UUID = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


@pytest.fixture(scope="module")
def run_as_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_project({"prod_run_as": SP, "ci_principal": CI}, tmp_path_factory.mktemp("identities"))


def grants_of(body: dict[str, Any], principal: str) -> set[str]:
    return {p for g in body.get("grants") or [] if g["principal"] == principal for p in g["privileges"]}


@pytest.mark.parametrize("target", ["staging", "prod"])
def test_the_run_as_principal_may_read_what_the_monitor_and_data_tests_read(
    run_as_bundle: Path, target: str
) -> None:
    resolved = resolve_target(run_as_bundle, target, user=CI)
    (schema,) = resolved.resources("schemas").values()
    assert {"USE_SCHEMA", "SELECT", "CREATE_TABLE", "CREATE_MATERIALIZED_VIEW"} <= grants_of(schema, SP)
    (volume,) = resolved.resources("volumes").values()
    assert grants_of(volume, SP) == {"READ_VOLUME", "WRITE_VOLUME"}
    # Top-level permissions reach the deployer's root_path (bundle/permissions/workspace_root.go).
    permissions = resolved.validate_json.get("permissions") or []
    assert {"level": "CAN_VIEW", "service_principal_name": SP} in permissions
    assert {"level": "CAN_MANAGE", "service_principal_name": CI} in permissions


def test_dev_schemas_carry_no_grant_to_the_production_principal(run_as_bundle: Path) -> None:
    resolved = resolve_target(run_as_bundle, "dev")
    for kind in ("schemas", "volumes"):
        for body in resolved.resources(kind).values():
            assert not grants_of(body, SP), (kind, body)
    assert not resolved.validate_json.get("permissions")


@pytest.mark.parametrize(
    "answers",
    [{}, {"prod_run_as": SP}, {"prod_run_as": SP, "ci_principal": CI}, {"ci": "none"}, {"ci_principal": CI}],
)
def test_notifications_go_to_the_answered_address_in_every_target(
    tmp_path: Path, answers: dict[str, str]
) -> None:
    project = render_project({**answers, "notification_email": "data-team@example.com"}, tmp_path)
    for target in ("dev", "staging", "prod") if answers.get("ci") != "none" else ("dev", "prod"):
        resolved = resolve_target(project, target, user=CI)  # CI's service principal deploys
        for pipeline in resolved.config["resources"]["pipelines"].values():
            for notification in pipeline.get("notifications") or []:
                assert notification["email_recipients"] == ["data-team@example.com"], target
        for job in resolved.config["resources"]["jobs"].values():
            for address in (job.get("email_notifications") or {}).get("on_failure") or []:
                assert address == "data-team@example.com", target


def test_a_service_principal_is_refused_as_the_notification_address(tmp_path: Path) -> None:
    done = render({"notification_email": SP}, tmp_path)
    assert done.returncode != 0 and "reach nobody" in done.stderr
    assert done.project is None


def test_a_shared_dev_schema_is_refused_with_the_reason(tmp_path: Path) -> None:
    done = render({"personal_schemas": "no"}, tmp_path)
    assert done.returncode != 0
    assert "the second developer's pipeline fails on the first one's tables" in done.stderr


def helper_marker(pythonpath: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", "import medallion.naming as n; print(getattr(n, 'MARKER', 'old'))"],
        env={"PYTHONPATH": pythonpath, "PATH": ""},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def job_marker(target: Any) -> str:
    job = next(iter(target.bundle["resources"]["jobs"].values()))
    spec = job["environments"][0]["spec"]
    files, requirements = split_dependencies(target, list(spec["dependencies"]))
    patched = any((a or {}).get("dynamic_version") for a in (target.bundle.get("artifacts") or {}).values())
    python = environment(requirements, files, by_version=not patched)
    done = subprocess.run(
        [str(python), "-c", "import medallion.naming as n; print(getattr(n, 'MARKER', 'old'))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def redeploy_with_a_changed_helper(project: Path, state: Path) -> tuple[list[str], list[str]]:
    """Deploy dev, change a helper, deploy again: which helper code the pipeline and the job's
    wheel tasks import after each deploy."""
    emulator = Emulator(state)
    emulator.privileges.set_owner(Securable("CATALOG", "main"), emulator.user, "(the deployer's catalog)")
    pipeline_seen, job_seen = [], []
    for marker in ("old", "new"):
        naming = project / "src" / "medallion" / "naming.py"
        if marker == "new":
            naming.write_text(naming.read_text() + '\nMARKER = "new"\n')
        deployed = emulator.deploy(project, "dev")
        pipeline = next(iter(deployed.target.bundle["resources"]["pipelines"].values()))
        pipeline_seen.append(helper_marker(runnable(deployed.target, code_path(deployed.target, pipeline))))
        job_seen.append(job_marker(deployed.target))
    return pipeline_seen, job_seen


def test_the_pipeline_and_the_job_run_the_helpers_of_the_latest_deploy(tmp_path: Path) -> None:
    project = render_project({}, tmp_path / "render")
    pipeline_seen, job_seen = redeploy_with_a_changed_helper(project, tmp_path / "workspace")
    assert job_seen == ["old", "new"]
    assert pipeline_seen == ["old", "new"]


def test_the_emulator_keeps_a_pipeline_wheel_of_an_installed_version(tmp_path: Path) -> None:
    """The defect the editable install fixes: given the built wheel (not patched by
    dynamic_version), the pipeline keeps the first 0.1.0 it installed."""
    project = render_project({}, tmp_path / "render")
    (pipeline_file,) = (project / "resources").glob("*.pipeline.yml")
    text = pipeline_file.read_text()
    assert "- --editable ${workspace.file_path}" in text
    pipeline_file.write_text(text.replace("- --editable ${workspace.file_path}", "- ../dist/*.whl"))
    pipeline_seen, job_seen = redeploy_with_a_changed_helper(project, tmp_path / "workspace")
    assert job_seen == ["old", "new"]
    assert pipeline_seen == ["old", "old"]


@pytest.mark.parametrize(
    "answers",
    [
        {},
        {"include_sample_data": "no"},
        {"source_type": "delta", "source_location": "main.raw"},
        {"source_type": "kafka", "source_location": "broker-1.example.com:9092"},
        {"source_tables": "invoices,payments"},
    ],
)
def test_the_readme_says_the_sample_is_loaded_only_where_the_dev_job_loads_it(
    tmp_path: Path, answers: dict[str, str]
) -> None:
    project = render_project(answers, tmp_path)
    readme = (project / "README.md").read_text()
    dev = resolve_target(project, "dev")
    tasks = {
        t["task_key"] for job in dev.config["resources"]["jobs"].values() for t in job.get("tasks") or []
    }
    says_loaded = "the job's first task loads the sample" in readme
    # The sample is the retail tables' (sample-data writes nothing for other tables).
    retail = "source_tables" not in answers
    assert says_loaded == ("load_sample_data" in tasks and retail), (answers, sorted(tasks))
    assert "### Where to put the data on Databricks" in readme
    assert "### Who runs what" in readme


def test_a_deployer_without_warehouse_access_cannot_resolve_the_warehouse_lookup(tmp_path: Path) -> None:
    """`bundle validate` looks the warehouse's id up by name as the deployer: CI's principal needs
    CAN USE on it before staging's first validate (README "Who runs what")."""
    project = render_project({"ci_principal": CI}, tmp_path / "render")
    emulator = Emulator(tmp_path / "workspace", user=CI)
    emulator.warehouse_users = {"data.engineer@example.com"}
    with pytest.raises(RuntimeError, match="failed to resolve warehouse: Serverless Starter Warehouse"):
        emulator.resolve(project, "staging")
    emulator.warehouse_users.add(CI)
    assert emulator.resolve(project, "staging").target == "staging"
