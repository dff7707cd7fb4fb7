"""Run a resolved job the way Lakeflow Jobs does: dependency order, If/else condition tasks,
`run_if`, branch outcomes, exclusion, task result states and the run's overall result.

Sources (cited again next to each rule below):
- Run if:     https://docs.databricks.com/jobs/run-if.html ("Configure task dependencies")
- If/else:    https://docs.databricks.com/jobs/if-else.html
- States:     Jobs API `RunResultState` (databricks-sdk `databricks.sdk.service.jobs.RunResultState`)
- References: https://docs.databricks.com/jobs/dynamic-value-references.html

Task executors (wheel, pipeline, notebook, SQL) are plugged in by task type; this module only
decides what runs, in which order, and what the run's result is.
"""

from __future__ import annotations

import itertools
import re
import time
import traceback
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

# Result states of a task run (Jobs API RunResultState).
SUCCESS = "SUCCESS"
FAILED = "FAILED"
EXCLUDED = "EXCLUDED"
UPSTREAM_FAILED = "UPSTREAM_FAILED"
SUCCESS_WITH_FAILURES = "SUCCESS_WITH_FAILURES"
TIMEDOUT = "TIMEDOUT"
CANCELED = "CANCELED"
UPSTREAM_CANCELED = "UPSTREAM_CANCELED"

# RunResultState: "EXCLUDED: the run was skipped because the necessary conditions were not met";
# run-if.html: "Excluded tasks are skipped and are treated as successful".
SUCCEEDED_STATES = frozenset({SUCCESS, SUCCESS_WITH_FAILURES, EXCLUDED})
# RunResultState: FAILED (completed with an error), TIMEDOUT, UPSTREAM_FAILED (skipped because of an
# upstream failure). Counting UPSTREAM_FAILED as a failure for downstream `run_if` is our reading:
# the docs list it among the unsuccessful results but give no example with AT_LEAST_ONE_FAILED.
FAILED_STATES = frozenset({FAILED, TIMEDOUT, UPSTREAM_FAILED, CANCELED, UPSTREAM_CANCELED})

RUN_IF_DEFAULT = "ALL_SUCCESS"  # run-if.html: "All succeeded ... This is the default condition"
# run-if.html: when the condition is not met, ALL_SUCCESS, AT_LEAST_ONE_SUCCESS and NONE_FAILED mark
# the task "Upstream failed"; AT_LEAST_ONE_FAILED and ALL_FAILED (conditions that handle failures)
# mark it "Excluded". ALL_DONE runs once every dependency is done, whatever its result.
UNMET_STATE = {
    "ALL_SUCCESS": UPSTREAM_FAILED,
    "AT_LEAST_ONE_SUCCESS": UPSTREAM_FAILED,
    "NONE_FAILED": UPSTREAM_FAILED,
    "ALL_DONE": UPSTREAM_FAILED,  # never used: ALL_DONE is always met
    "AT_LEAST_ONE_FAILED": EXCLUDED,
    "ALL_FAILED": EXCLUDED,
}

TASK_TYPES = (
    "condition_task",
    "python_wheel_task",
    "pipeline_task",
    "notebook_task",
    "sql_task",
    "spark_python_task",
    "run_job_task",
    "for_each_task",
)

_REFERENCE = re.compile(r"\{\{\s*([A-Za-z0-9_.\-]+)\s*\}\}")
_run_ids = itertools.count(1_000_001)


@dataclass
class TaskOutcome:
    """What an executor reports: success or failure, a message, and optional output/values."""

    ok: bool
    message: str = ""
    output: str = ""
    exit_code: int | None = None
    values: dict[str, Any] = field(default_factory=dict)  # task values (dbutils.jobs.taskValues)


@dataclass
class TaskRun:
    """One task of a job run with its result state (Jobs API RunTask)."""

    task_key: str
    run_id: int
    result_state: str | None = None
    state_message: str = ""
    outcome: str | None = None  # condition tasks: "true" / "false" (RunConditionTask.outcome)
    output: str = ""
    exit_code: int | None = None
    start_time: int = 0
    end_time: int = 0
    values: dict[str, Any] = field(default_factory=dict)
    task: dict[str, Any] = field(default_factory=dict)  # the task as run (references substituted)

    @property
    def executed(self) -> bool:
        return self.result_state in (SUCCESS, FAILED, TIMEDOUT, SUCCESS_WITH_FAILURES)


@dataclass
class JobRun:
    """A job run: every task's run and the overall result."""

    run_id: int
    job_id: int | str
    job_name: str
    parameters: dict[str, str]
    start_time: int
    tasks: dict[str, TaskRun] = field(default_factory=dict)
    result_state: str | None = None
    end_time: int = 0

    def states(self) -> dict[str, str | None]:
        return {key: task.result_state for key, task in self.tasks.items()}


@dataclass
class TaskContext:
    """What an executor gets besides the task: the run so far and its parameters."""

    job: dict[str, Any]
    run: JobRun
    task_run: TaskRun


Executor = Callable[[dict[str, Any], TaskContext], TaskOutcome]


class JobDefinitionError(ValueError):
    """The job cannot run as defined (unknown dependency, cycle)."""


def now_ms() -> int:
    return int(time.time() * 1000)


def task_type(task: Mapping[str, Any]) -> str:
    found = [t for t in TASK_TYPES if t in task]
    if len(found) != 1:
        raise JobDefinitionError(f"task {task.get('task_key')!r} has task types {found or 'none'}")
    return found[0]


def dependency_order(tasks: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Tasks in an order where every dependency comes first (run-if.html: "Databricks runs upstream
    tasks before running downstream tasks"); ties keep the job's own order."""
    by_key = {t["task_key"]: t for t in tasks}
    for task in tasks:
        for dep in task.get("depends_on") or []:
            if dep["task_key"] not in by_key:
                raise JobDefinitionError(f"task {task['task_key']!r} depends on unknown {dep['task_key']!r}")
    done: list[str] = []
    pending = [t["task_key"] for t in tasks]
    while pending:
        ready = next(
            (k for k in pending if all(d["task_key"] in done for d in by_key[k].get("depends_on") or [])),
            None,
        )
        if ready is None:
            raise JobDefinitionError(f"dependency cycle among {pending}")
        done.append(ready)
        pending.remove(ready)
    return [by_key[k] for k in done]


def job_parameters(job: Mapping[str, Any], given: Mapping[str, Any] | None) -> dict[str, str]:
    """Job parameter defaults overridden by the run's `job_parameters` (Jobs API run-now)."""
    values = {p["name"]: str(p.get("default", "")) for p in job.get("parameters") or []}
    for name, value in (given or {}).items():
        values[name] = str(value)
    return values


def reference_values(job: Mapping[str, Any], run: JobRun, task_run: TaskRun | None) -> dict[str, str]:
    """The dynamic value references we emulate (dynamic-value-references.html: job.id, job.name,
    job.run_id, job.parameters.<name>, job.start_time.*, job.trigger.type, task.name, task.run_id,
    tasks.<key>.run_id, tasks.<key>.result_state, tasks.<key>.values.<name>)."""
    started = datetime.fromtimestamp(run.start_time / 1000, tz=timezone.utc)
    values = {
        "job.id": str(run.job_id),
        "job.name": run.job_name,
        "job.run_id": str(run.run_id),
        "job.trigger.type": "one_time",  # run-now: a manual one-time trigger
        "job.start_time.iso_datetime": started.strftime("%Y-%m-%dT%H:%M:%S"),
        "job.start_time.iso_date": started.strftime("%Y-%m-%d"),
        "job.start_time.timestamp_ms": str(run.start_time),
        "job.start_time.year": str(started.year),
    }
    values.update({f"job.parameters.{k}": v for k, v in run.parameters.items()})
    if task_run is not None:
        values["task.name"] = task_run.task_key
        values["task.run_id"] = str(task_run.run_id)
    for key, other in run.tasks.items():
        values[f"tasks.{key}.run_id"] = str(other.run_id)
        if other.result_state:
            values[f"tasks.{key}.result_state"] = other.result_state.lower()
        for name, value in other.values.items():
            values[f"tasks.{key}.values.{name}"] = (
                str(value).lower() if isinstance(value, bool) else str(value)
            )
    return values


def substitute(value: Any, references: Mapping[str, str], unknown: list[str]) -> Any:
    """Replace `{{ref}}` in every string of `value`; references we do not know are left as written
    and noted in `unknown` (no source here says what the platform does with them)."""
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name in references:
                return references[name]
            unknown.append(name)
            return match.group(0)

        return _REFERENCE.sub(replace, value)
    if isinstance(value, list):
        return [substitute(v, references, unknown) for v in value]
    if isinstance(value, dict):
        return {k: substitute(v, references, unknown) for k, v in value.items()}
    return value


def evaluate_condition(condition: Mapping[str, Any]) -> bool:
    """If/else condition (if-else.html): `==` and `!=` compare the operands as strings ("12.0 == 12
    is false"); `>`, `>=`, `<`, `<=` compare them as numbers ("12.0 >= 12 is true"). Operators as
    the Jobs API names them (ConditionTaskOp)."""
    op, left, right = condition["op"], str(condition.get("left", "")), str(condition.get("right", ""))
    if op == "EQUAL_TO":
        return left == right
    if op == "NOT_EQUAL":
        return left != right
    numeric = {
        "GREATER_THAN": lambda a, b: a > b,
        "GREATER_THAN_OR_EQUAL": lambda a, b: a >= b,
        "LESS_THAN": lambda a, b: a < b,
        "LESS_THAN_OR_EQUAL": lambda a, b: a <= b,
    }
    if op not in numeric:
        raise ValueError(f"unknown condition operator {op!r}")
    try:
        a, b = float(left), float(right)
    except ValueError:
        # if-else.html: the ordering operators compare numerically; an operand that is no number
        # cannot be compared (the docs say other types "cause the condition expression to fail").
        raise ValueError(f"{op} needs numeric operands, got {left!r} and {right!r}") from None
    return numeric[op](a, b)


def dependency_state(dep: Mapping[str, Any], upstream: TaskRun) -> str:
    """The state a dependency counts as. With `outcome` (if-else.html: a task depends on
    `<task> (true)` or `<task> (false)`), a dependency on the branch not taken counts as EXCLUDED.
    That the untaken branch is "Excluded" is our reading (it is the RunResultState for "skipped
    because the necessary conditions were not met"); the fetched docs do not say it in words."""
    state = upstream.result_state or FAILED
    wanted = dep.get("outcome")
    if wanted is None or state != SUCCESS:
        return state
    return SUCCESS if str(upstream.outcome).lower() == str(wanted).lower() else EXCLUDED


def decide(run_if: str, states: list[str]) -> str | None:
    """None when the task runs, else the state it gets without running (run-if.html)."""
    if states and all(s == EXCLUDED for s in states):
        # run-if.html: "If all task dependencies are excluded, the task is also excluded,
        # regardless of its Run if condition."
        return EXCLUDED
    succeeded = [s in SUCCEEDED_STATES for s in states]
    failed = [s in FAILED_STATES for s in states]
    executed = [s not in (EXCLUDED, UPSTREAM_FAILED, UPSTREAM_CANCELED) for s in states]
    met = {
        "ALL_SUCCESS": all(succeeded),  # "All dependencies have run and succeeded"
        "AT_LEAST_ONE_SUCCESS": any(succeeded),  # "At least one dependency has succeeded"
        # "None of the dependencies have failed and at least one was executed"
        "NONE_FAILED": not any(failed) and any(executed),
        "ALL_DONE": True,  # "after all its dependencies have run, regardless of their status"
        "AT_LEAST_ONE_FAILED": any(failed),  # "At least one dependency has failed"
        "ALL_FAILED": all(failed),  # "All dependencies have failed"
    }
    if run_if not in met:
        raise JobDefinitionError(f"unknown run_if {run_if!r}")
    return None if met[run_if] else UNMET_STATE[run_if]


def overall_result(job_tasks: list[dict[str, Any]], runs: Mapping[str, TaskRun]) -> str:
    """run-if.html, "How does Databricks Jobs determine job run status?": from the leaf tasks
    (no downstream dependencies): Succeeded when all tasks succeeded; Succeeded with failures when
    some tasks failed but every leaf succeeded; Failed when one or more leaf tasks failed."""
    upstream = {d["task_key"] for t in job_tasks for d in t.get("depends_on") or []}
    leaves = [t["task_key"] for t in job_tasks if t["task_key"] not in upstream]
    if any(runs[k].result_state in FAILED_STATES for k in leaves):
        return FAILED
    if any(r.result_state in FAILED_STATES for r in runs.values()):
        return SUCCESS_WITH_FAILURES
    return SUCCESS


class JobRunner:
    """Runs jobs with executors keyed by task type ("python_wheel_task", ...)."""

    def __init__(self, executors: Mapping[str, Executor] | None = None) -> None:
        self.executors = dict(executors or {})
        self.runs: dict[int, JobRun] = {}
        self.listeners: list[Callable[[JobRun, TaskRun], None]] = []

    def start(
        self,
        job: dict[str, Any],
        job_id: int | str = 1,
        parameters: Mapping[str, Any] | None = None,
        run_id: int | None = None,
    ) -> JobRun:
        """A new run in state "pending" (no task run yet); `execute` runs it."""
        run = JobRun(
            run_id=run_id or next(_run_ids),
            job_id=job_id,
            job_name=str(job.get("name", "")),
            parameters=job_parameters(job, parameters),
            start_time=now_ms(),
        )
        self.runs[run.run_id] = run
        return run

    def run(
        self,
        job: dict[str, Any],
        job_id: int | str = 1,
        parameters: Mapping[str, Any] | None = None,
        run_id: int | None = None,
    ) -> JobRun:
        return self.execute(job, self.start(job, job_id, parameters, run_id))

    def execute(self, job: dict[str, Any], run: JobRun) -> JobRun:
        tasks = dependency_order(list(job.get("tasks") or []))
        for task in tasks:
            task_run = TaskRun(task["task_key"], next(_run_ids), start_time=now_ms())
            run.tasks[task_run.task_key] = task_run
            deps = task.get("depends_on") or []
            states = [dependency_state(d, run.tasks[d["task_key"]]) for d in deps]
            skipped = decide(task.get("run_if") or RUN_IF_DEFAULT, states) if deps else None
            if skipped is not None:
                task_run.result_state = skipped
                task_run.state_message = (
                    f"not run: dependencies {dict(zip([d['task_key'] for d in deps], states, strict=True))}"
                )
            else:
                self._run_task(job, run, task, task_run)
            task_run.end_time = now_ms()
            for listener in self.listeners:
                listener(run, task_run)
        run.result_state = overall_result(tasks, run.tasks)
        run.end_time = now_ms()
        return run

    def _run_task(self, job: dict[str, Any], run: JobRun, task: dict[str, Any], task_run: TaskRun) -> None:
        unknown: list[str] = []
        resolved = substitute(task, reference_values(job, run, task_run), unknown)
        task_run.task = resolved
        kind = task_type(resolved)
        try:
            if kind == "condition_task":
                task_run.outcome = "true" if evaluate_condition(resolved["condition_task"]) else "false"
                task_run.result_state = SUCCESS
                task_run.state_message = f"condition evaluated to {task_run.outcome}"
                return
            executor = self.executors.get(kind)
            if executor is None:
                raise NotImplementedError(f"no executor for {kind}")
            outcome = executor(resolved, TaskContext(job, run, task_run))
        except Exception as error:
            task_run.result_state = FAILED
            task_run.state_message = f"{type(error).__name__}: {error}"
            task_run.output = traceback.format_exc()
            return
        task_run.result_state = SUCCESS if outcome.ok else FAILED
        task_run.state_message = outcome.message
        task_run.output = outcome.output
        task_run.exit_code = outcome.exit_code
        task_run.values = dict(outcome.values)
        if unknown:
            task_run.state_message += f" (unresolved references left as written: {sorted(set(unknown))})"
