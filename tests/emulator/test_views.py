"""The views a job runner reads: each job's resolved tasks, each pipeline's resolved settings."""

from __future__ import annotations

from tests.emulator.conftest import BundleFactory
from tests.support.emulator import (
    job_views,
    pipeline_by_id,
    pipeline_views,
    resolve_target,
    unknown_dynamic_references,
)

BUNDLE = """
bundle:
  name: shop
resources:
  pipelines:
    etl:
      name: etl
      configuration:
        root: ${workspace.file_path}
  jobs:
    run:
      name: run
      parameters:
        - name: target
          default: ${bundle.target}
      tasks:
        - task_key: refresh
          pipeline_task:
            pipeline_id: ${resources.pipelines.etl.id}
        - task_key: check
          depends_on:
            - task_key: refresh
          environment_key: default
          python_wheel_task:
            package_name: shop
            entry_point: shop
      environments:
        - environment_key: default
          spec:
            environment_version: "4"
            dependencies:
              - ./dist/*.whl
targets:
  dev:
    mode: development
"""


def test_job_view_lists_resolved_tasks_environments_and_parameters(make_bundle: BundleFactory) -> None:
    resolved = resolve_target(make_bundle(BUNDLE), env={})
    job = job_views(resolved)["run"]
    assert job.job_id == resolved.resource_ids[("jobs", "run")]
    assert job.job_id.isdigit()
    assert [t["task_key"] for t in job.tasks] == ["check", "refresh"]
    assert job.parameters == {"target": "dev"}
    assert job.environments == {"default": {"environment_version": "4", "dependencies": ["./dist/*.whl"]}}
    pipeline = pipeline_by_id(resolved, job.task("refresh")["pipeline_task"]["pipeline_id"])
    assert pipeline.key == "etl"
    assert pipeline.settings["name"] == "[dev data_engineer] etl"
    assert pipeline.configuration == {
        "root": "/Workspace/Users/data.engineer@example.com/.bundle/shop/dev/files"
    }


def test_views_are_copies(make_bundle: BundleFactory) -> None:
    resolved = resolve_target(make_bundle(BUNDLE), env={})
    pipeline_views(resolved)["etl"].settings["name"] = "changed"
    assert pipeline_views(resolved)["etl"].settings["name"] == "[dev data_engineer] etl"


def test_dynamic_value_references_must_name_a_parameter_or_task_of_the_job(
    make_bundle: BundleFactory,
) -> None:
    text = BUNDLE.replace(
        "          environment_key: default\n",
        "          environment_key: default\n          run_if: ALL_DONE\n",
    )
    text = text.replace(
        "            entry_point: shop\n",
        "            entry_point: shop\n"
        "            parameters:\n"
        '              - "{{job.parameters.target}}"\n'
        '              - "{{job.parameters.`tar get`}}"\n'
        '              - "{{tasks.refresh.result_state}} {{tasks.gone.values.x}}"\n'
        '              - "{{job.run_id}}"\n',
    )
    resolved = resolve_target(make_bundle(text), env={})
    assert unknown_dynamic_references(resolved) == [
        "jobs.run tasks[0].python_wheel_task.parameters[1]: {{job.parameters.`tar get`}}",
        "jobs.run tasks[0].python_wheel_task.parameters[2]: {{tasks.gone.values.x}}",
    ]
