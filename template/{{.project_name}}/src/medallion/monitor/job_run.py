"""The job run the monitor task belongs to: did its pipeline task start an update at all?

The monitor task runs after the pipeline task with `run_if: ALL_DONE`, so it also runs when
that task never started the pipeline (an upstream task failed, or the task was excluded).
There is then no update to wait for: say so at once instead of waiting for the timeout.
"""

from __future__ import annotations

from typing import Any

from databricks.sdk.service.jobs import Run, RunTask

from medallion.monitor.diagnosis import Diagnosis
from medallion.monitor.judge import Criterion, conclude

# Result states of a task that did not run its work (Jobs API RunResultState; docs "Configure
# task dependencies": a task whose Run if condition is not met is Upstream failed or Excluded).
NOT_STARTED = frozenset({"EXCLUDED", "UPSTREAM_FAILED", "UPSTREAM_CANCELED", "DISABLED", "SKIPPED"})


def pipeline_task(run: Run, pipeline_id: str) -> RunTask | None:
    """The run's task that runs `pipeline_id`, if any."""
    return next(
        (t for t in run.tasks or [] if t.pipeline_task and t.pipeline_task.pipeline_id == pipeline_id), None
    )


def not_started_state(task: RunTask) -> str | None:
    """The task's result when it ended without starting its work, else None."""
    states = []
    if task.state and task.state.result_state:
        states.append(task.state.result_state.value)
    if task.status and task.status.termination_details and task.status.termination_details.code:
        states.append(task.status.termination_details.code.value)
    return next((state for state in states if state in NOT_STARTED), None)


def not_started_report(run: Run, task: RunTask, state: str, pipeline_id: str) -> dict[str, Any]:
    """A FAILED verdict explaining that the job never started the pipeline."""
    upstream = ", ".join(d.task_key for d in task.depends_on or []) or "none"
    criterion = Criterion("pipeline task ran", False, f"task {task.task_key} ended {state}")
    diagnosis = Diagnosis(
        cause="pipeline_task_not_run",
        explanation=f"job run {run.run_id} never started the pipeline: task {task.task_key} is {state}",
        fix="look at the failed upstream task's output in the job run, fix it, then run the job again",
        fix_kind=None,
        evidence=(f"{task.task_key} depends on: {upstream}",),
    )
    report = {
        "status": "NOT_STARTED",
        "pipeline_id": pipeline_id,
        "update_ids": [],
        "tables": {},
        "rules": [],
    }
    return conclude({**report, "duplicates": {}}, [criterion], [diagnosis.as_dict()])
