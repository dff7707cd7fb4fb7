"""The job runner on hand-written jobs: order, If/else outcomes, run_if, exclusion, overall result."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support.emulator.jobs import (
    EXCLUDED,
    FAILED,
    SUCCESS,
    SUCCESS_WITH_FAILURES,
    UPSTREAM_FAILED,
    JobDefinitionError,
    JobRunner,
    TaskOutcome,
    decide,
    dependency_order,
    evaluate_condition,
)


def wheel(key: str, *deps: str, run_if: str | None = None, outcome: str | None = None, **extra: Any):
    task: dict[str, Any] = {"task_key": key, "python_wheel_task": {"package_name": "p", "entry_point": "e"}}
    if deps:
        task["depends_on"] = [
            {"task_key": d, **({"outcome": outcome} if outcome and d.startswith("is_") else {})} for d in deps
        ]
    if run_if:
        task["run_if"] = run_if
    task.update(extra)
    return task


def condition(key: str, left: str, op: str, right: str) -> dict[str, Any]:
    return {"task_key": key, "condition_task": {"op": op, "left": left, "right": right}}


class Recorder:
    """An executor that fails the tasks named in `failing` and records what it ran."""

    def __init__(self, failing: set[str] | None = None) -> None:
        self.failing = failing or set()
        self.ran: list[str] = []
        self.tasks: dict[str, dict[str, Any]] = {}

    def __call__(self, task: dict[str, Any], ctx: Any) -> TaskOutcome:
        self.ran.append(task["task_key"])
        self.tasks[task["task_key"]] = task
        return TaskOutcome(
            task["task_key"] not in self.failing, "boom" if task["task_key"] in self.failing else ""
        )


def run(
    tasks: list[dict[str, Any]],
    failing: set[str] | None = None,
    parameters: dict[str, str] | None = None,
    job_parameters: list[dict[str, str]] | None = None,
):
    recorder = Recorder(failing)
    job = {"name": "j", "tasks": tasks, "parameters": job_parameters or []}
    result = JobRunner({"python_wheel_task": recorder}).run(job, 7, parameters)
    return result, recorder


def test_dependencies_run_first_whatever_the_written_order():
    ordered = dependency_order([wheel("c", "b"), wheel("b", "a"), wheel("a")])
    assert [t["task_key"] for t in ordered] == ["a", "b", "c"]


def test_cycles_and_unknown_dependencies_are_refused():
    with pytest.raises(JobDefinitionError, match="cycle"):
        dependency_order([wheel("a", "b"), wheel("b", "a")])
    with pytest.raises(JobDefinitionError, match="unknown"):
        dependency_order([wheel("a", "zz")])


@pytest.mark.parametrize(
    ("op", "left", "right", "expected"),
    [
        ("EQUAL_TO", "dev", "dev", True),
        ("EQUAL_TO", "12.0", "12", False),  # string comparison (if-else.html)
        ("NOT_EQUAL", "prod", "dev", True),
        ("GREATER_THAN_OR_EQUAL", "12.0", "12", True),  # numeric comparison
        ("GREATER_THAN", "10", "9", True),  # numeric, not "10" < "9" as strings
        ("LESS_THAN", "3", "4.5", True),
        ("LESS_THAN_OR_EQUAL", "5", "4", False),
    ],
)
def test_condition_operators(op, left, right, expected):
    assert evaluate_condition({"op": op, "left": left, "right": right}) is expected


def test_ordering_operator_on_text_fails_the_condition_task():
    result, _ = run([condition("c", "abc", "GREATER_THAN", "1"), wheel("after", "c")])
    assert result.tasks["c"].result_state == FAILED
    assert result.tasks["after"].result_state == UPSTREAM_FAILED
    assert result.result_state == FAILED


def test_condition_on_a_job_parameter_picks_a_branch_and_excludes_the_other():
    tasks = [
        condition("is_dev", "{{job.parameters.env}}", "EQUAL_TO", "dev"),
        wheel("only_dev", "is_dev", outcome="true"),
        wheel("only_other", "is_dev", outcome="false"),
    ]
    dev, ran = run(tasks, job_parameters=[{"name": "env", "default": "dev"}])
    assert dev.tasks["is_dev"].outcome == "true"
    assert dev.states() == {"is_dev": SUCCESS, "only_dev": SUCCESS, "only_other": EXCLUDED}
    assert ran.ran == ["only_dev"]
    prod, ran = run(tasks, parameters={"env": "prod"}, job_parameters=[{"name": "env", "default": "dev"}])
    assert prod.states() == {"is_dev": SUCCESS, "only_dev": EXCLUDED, "only_other": SUCCESS}
    assert prod.result_state == SUCCESS  # excluded leaves count as successful


def test_a_task_whose_dependencies_are_all_excluded_is_excluded_even_with_all_done():
    # The shape of the template's staging/prod run before the fix: run_pipeline depends only on
    # the excluded load_sample_data, so everything downstream is excluded and nothing runs.
    tasks = [
        condition("is_dev", "{{job.parameters.load_sample_data}}", "EQUAL_TO", "dev"),
        wheel("load_sample_data", "is_dev", outcome="true"),
        wheel("run_pipeline", "load_sample_data", run_if="NONE_FAILED"),
        wheel("monitor", "run_pipeline", run_if="ALL_DONE"),
    ]
    result, ran = run(tasks, job_parameters=[{"name": "load_sample_data", "default": "staging"}])
    assert result.states() == {
        "is_dev": SUCCESS,
        "load_sample_data": EXCLUDED,
        "run_pipeline": EXCLUDED,
        "monitor": EXCLUDED,
    }
    assert ran.ran == []
    assert result.result_state == SUCCESS


def test_none_failed_runs_after_an_excluded_and_a_succeeded_dependency():
    # The fixed shape: run_pipeline depends on is_dev and on load_sample_data with NONE_FAILED.
    tasks = [
        condition("is_dev", "staging", "EQUAL_TO", "dev"),
        wheel("load_sample_data", "is_dev", outcome="true"),
        {
            **wheel("run_pipeline", run_if="NONE_FAILED"),
            "depends_on": [{"task_key": "is_dev"}, {"task_key": "load_sample_data"}],
        },
    ]
    result, ran = run(tasks)
    assert result.states()["run_pipeline"] == SUCCESS
    assert ran.ran == ["run_pipeline"]


@pytest.mark.parametrize(
    ("run_if", "states", "expected"),
    [
        ("ALL_SUCCESS", [SUCCESS, SUCCESS], None),
        ("ALL_SUCCESS", [SUCCESS, FAILED], UPSTREAM_FAILED),
        ("ALL_SUCCESS", [SUCCESS, EXCLUDED], None),  # excluded is treated as successful
        ("AT_LEAST_ONE_SUCCESS", [FAILED, SUCCESS], None),
        ("AT_LEAST_ONE_SUCCESS", [FAILED, FAILED], UPSTREAM_FAILED),
        ("NONE_FAILED", [SUCCESS, EXCLUDED], None),
        ("NONE_FAILED", [SUCCESS, FAILED], UPSTREAM_FAILED),
        ("ALL_DONE", [FAILED, UPSTREAM_FAILED], None),
        ("AT_LEAST_ONE_FAILED", [SUCCESS, FAILED], None),
        ("AT_LEAST_ONE_FAILED", [SUCCESS, SUCCESS], EXCLUDED),  # failure handlers are excluded
        ("ALL_FAILED", [FAILED, FAILED], None),
        ("ALL_FAILED", [FAILED, SUCCESS], EXCLUDED),
        ("ALL_DONE", [EXCLUDED, EXCLUDED], EXCLUDED),  # all dependencies excluded
        ("AT_LEAST_ONE_FAILED", [EXCLUDED], EXCLUDED),
    ],
)
def test_run_if_table(run_if, states, expected):
    assert decide(run_if, states) == expected


def test_all_done_monitor_runs_after_a_failed_pipeline_and_its_exit_code_decides_the_run():
    tasks = [
        wheel("run_pipeline"),
        wheel("monitor", "run_pipeline", run_if="ALL_DONE"),
        wheel("data_tests", "run_pipeline"),
    ]
    result, ran = run(tasks, failing={"run_pipeline", "monitor"})
    assert result.states() == {"run_pipeline": FAILED, "monitor": FAILED, "data_tests": UPSTREAM_FAILED}
    assert ran.ran == ["run_pipeline", "monitor"]
    assert result.result_state == FAILED


def test_success_with_failures_when_every_leaf_succeeds():
    tasks = [wheel("a"), wheel("cleanup", "a", run_if="ALL_DONE")]
    result, _ = run(tasks, failing={"a"})
    assert result.states() == {"a": FAILED, "cleanup": SUCCESS}
    assert result.result_state == SUCCESS_WITH_FAILURES


def test_dynamic_value_references_are_substituted_in_parameters():
    task = wheel("monitor")
    task["python_wheel_task"]["parameters"] = [
        "--job-run-id",
        "{{job.run_id}}",
        "{{job.id}}",
        "{{task.name}}",
        "{{job.parameters.x}}",
        "{{nope.ref}}",
    ]
    result, ran = run([task], job_parameters=[{"name": "x", "default": "1"}])
    assert ran.tasks["monitor"]["python_wheel_task"]["parameters"] == [
        "--job-run-id",
        str(result.run_id),
        "7",
        "monitor",
        "1",
        "{{nope.ref}}",
    ]
    assert "nope.ref" in result.tasks["monitor"].state_message


def test_an_executor_exception_fails_the_task():
    def broken(task, ctx):
        raise RuntimeError("no cluster")

    result = JobRunner({"python_wheel_task": broken}).run({"name": "j", "tasks": [wheel("a")]})
    assert result.tasks["a"].result_state == FAILED
    assert "no cluster" in result.tasks["a"].state_message
