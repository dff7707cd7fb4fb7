"""The first-deploy defects found in the default bundle, each executed the way Databricks would
run it.

Targets are resolved by the emulator as the CLI does (development prefixes, run_as, tasks merged by
task_key); jobs run through the emulator's Jobs semantics with recording executors, so these
tests need no Spark. The wheel entry point (defects 1 and 6) is called for real in
tests/template/test_entry_point.py; the pipeline task runs for real in the deploy tests.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.emulator.test_jobs import Recorder
from tests.rendering import render_project
from tests.support.emulator import resolve_target, volume_uses
from tests.support.emulator.jobs import SUCCESS, JobRunner
from tests.support.emulator.views import job_views as jobs

SP = "8f3c2a71-1b2c-4d5e-9f00-123456789abc"


@pytest.fixture(scope="module")
def default_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_project({"prod_run_as": SP}, tmp_path_factory.mktemp("first_deploy"))


def run_pipeline_job(project: Path, target: str) -> tuple[Recorder, dict[str, str | None]]:
    """Run the job that runs the pipeline, as Jobs would in `target`; what ran and the states."""
    resolved = resolve_target(project, target)
    assert not resolved.dangling, resolved.dangling
    job = next(j for j in jobs(resolved).values() if any("pipeline_task" in t for t in j.tasks))
    recorder = Recorder()
    kinds = ("python_wheel_task", "pipeline_task", "notebook_task", "sql_task")
    run = JobRunner(dict.fromkeys(kinds, recorder)).run(job.settings, job.job_id)
    return recorder, run.states()


@pytest.mark.parametrize("target", ["staging", "prod"])
def test_staging_and_prod_run_the_pipeline_and_the_monitor(default_bundle: Path, target: str) -> None:
    """Defect 2: run_pipeline depended only on load_sample_data, excluded outside dev; Jobs then
    excludes a task whose dependencies are all excluded, so nothing ran in staging or prod."""
    recorder, states = run_pipeline_job(default_bundle, target)
    assert states["run_pipeline"] == SUCCESS and "run_pipeline" in recorder.ran, states
    assert states["monitor"] == SUCCESS and states["data_tests"] == SUCCESS, states
    assert "load_sample_data" not in states, "the sample is a dev-only task"


def test_dev_loads_the_sample_before_the_pipeline(default_bundle: Path) -> None:
    recorder, states = run_pipeline_job(default_bundle, "dev")
    ran = recorder.ran
    assert set(ran[:2]) == {"load_sample_data", "prepare_landing"} and ran[2] == "run_pipeline", ran
    assert set(states.values()) == {SUCCESS}, states


@pytest.mark.parametrize("target", ["dev", "staging", "prod"])
def test_every_volume_path_is_a_volume_the_target_creates(default_bundle: Path, target: str) -> None:
    """Defect 3: dev read /Volumes/<catalog>/<schema>/landing while the bundle created the
    volume in the dev-prefixed schema dev_<user>_<schema>; staging read prod's volume."""
    resolved = resolve_target(default_bundle, target)
    uses = volume_uses(resolved)
    assert uses, "the default bundle reads its sources from a volume"
    for use in uses:
        assert use.created_by, f"{target}: {use.path} (at {use.used_at}) is not created by the bundle"
    schema = next(iter(resolved.config["resources"]["schemas"].values()))["name"]
    assert {use.schema for use in uses} == {schema}


def test_setup_job_is_dev_only_and_the_run_as_principal_is_granted(default_bundle: Path) -> None:
    """Defect 7: with prod_run_as, the setup job ran setup.sql as the service principal (run_as
    applies to every job) instead of the catalog owner, and the principal had no READ VOLUME."""
    for target in ("staging", "prod"):
        resolved = resolve_target(default_bundle, target)
        assert all("sql_task" not in t for j in jobs(resolved).values() for t in j.tasks), target
        resources = resolved.config["resources"]
        for kind in ("jobs", "pipelines"):
            for key, body in resources[kind].items():
                assert body["run_as"] == {"service_principal_name": SP}, (target, kind, key)
        schema = next(iter(resources["schemas"].values()))
        privileges = {p for g in schema["grants"] if g["principal"] == SP for p in g["privileges"]}
        assert {"USE_SCHEMA", "CREATE_TABLE", "CREATE_MATERIALIZED_VIEW"} <= privileges
        volume = next(iter(resources["volumes"].values()))
        assert {"principal": SP, "privileges": ["READ_VOLUME", "WRITE_VOLUME"]} in volume["grants"]
    dev = resolve_target(default_bundle, "dev")
    assert any("sql_task" in t for j in jobs(dev).values() for t in j.tasks)


@pytest.mark.parametrize("target", ["dev", "staging", "prod"])
def test_no_cli_warning_in_any_target(default_bundle: Path, target: str) -> None:
    """Staging and prod deployed under /Workspace/Shared: the CLI warns that every workspace user
    can then change production code (databricks/cli bundle/permissions/validate.go)."""
    resolved = resolve_target(default_bundle, target)
    assert [(d.severity, d.summary) for d in resolved.diagnostics] == []
    assert resolved.validate_json["workspace"]["root_path"].startswith("/Workspace/Users/")
