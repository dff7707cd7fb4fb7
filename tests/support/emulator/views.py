"""Read-only views of a resolved bundle for code that runs what it deploys (a job runner)."""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass
from typing import Any

from tests.support.emulator.model import ResolvedBundle
from tests.support.emulator.tree import format_path, walk_strings


@dataclass(frozen=True)
class JobView:
    """One job as deployed: its key, its id (fake), its settings and its tasks (in the CLI's
    order: sorted by task_key, merge_job_tasks.go), all in `bundle validate -o json` shape."""

    key: str
    job_id: str
    settings: dict[str, Any]

    @property
    def tasks(self) -> list[dict[str, Any]]:
        return list(self.settings.get("tasks") or [])

    @property
    def environments(self) -> dict[str, dict[str, Any]]:
        """environment_key -> the environment's `spec`."""
        return {
            e.get("environment_key"): e.get("spec") or {} for e in self.settings.get("environments") or []
        }

    @property
    def parameters(self) -> dict[str, Any]:
        """Job parameter name -> default."""
        return {p.get("name"): p.get("default") for p in self.settings.get("parameters") or []}

    def task(self, task_key: str) -> dict[str, Any]:
        for task in self.tasks:
            if task.get("task_key") == task_key:
                return task
        raise KeyError(f"job {self.key} has no task {task_key!r}")


@dataclass(frozen=True)
class PipelineView:
    """One pipeline as deployed: key, id (fake) and settings (`bundle validate -o json` shape:
    name, catalog, schema, configuration, libraries, environment, run_as, development, ...)."""

    key: str
    pipeline_id: str
    settings: dict[str, Any]

    @property
    def configuration(self) -> dict[str, str]:
        return dict(self.settings.get("configuration") or {})


def job_views(resolved: ResolvedBundle) -> dict[str, JobView]:
    """Every job of the target, by resource key, with references substituted as deployed."""
    return {
        key: JobView(key, resolved.resource_ids[("jobs", key)], copy.deepcopy(settings))
        for key, settings in resolved.resources("jobs").items()
    }


def pipeline_views(resolved: ResolvedBundle) -> dict[str, PipelineView]:
    """Every pipeline of the target, by resource key, with references substituted as deployed."""
    return {
        key: PipelineView(key, resolved.resource_ids[("pipelines", key)], copy.deepcopy(settings))
        for key, settings in resolved.resources("pipelines").items()
    }


def pipeline_by_id(resolved: ResolvedBundle, pipeline_id: str) -> PipelineView:
    """The pipeline a `pipeline_task.pipeline_id` names."""
    for view in pipeline_views(resolved).values():
        if view.pipeline_id == pipeline_id:
            return view
    raise KeyError(f"no pipeline with id {pipeline_id} in target {resolved.target}")


# Jobs dynamic value references: `{{job.parameters.<name>}}`, `{{tasks.<task_key>.<field>}}`, ...
# (docs.databricks.com/jobs/dynamic-value-references: names with characters other than letters,
# digits and `_` are written in backticks; an invalid reference in a known namespace is refused).
_DYNAMIC = re.compile(r"\{\{\s*([^{}]+?)\s*\}\}")


def _segments(reference: str) -> list[str]:
    return [a or b for a, b in re.findall(r"`([^`]*)`|([^.`]+)", reference)]


def unknown_dynamic_references(resolved: ResolvedBundle) -> list[str]:
    """`{{job.parameters.<name>}}` naming no parameter of its job and `{{tasks.<key>...}}`
    naming no task of its job, as "jobs.<key> <path>: {{...}}". Jobs resolves these at run time
    (not the CLI); other namespaces (job.run_id, job.id, ...) are not checked."""
    problems = []
    for key, view in job_views(resolved).items():
        parameters = set(view.parameters)
        tasks = {t.get("task_key") for t in view.tasks}
        for path, text in walk_strings(view.settings):
            for match in _DYNAMIC.finditer(text):
                parts = _segments(match.group(1))
                unknown = (parts[:2] == ["job", "parameters"] and ".".join(parts[2:]) not in parameters) or (
                    len(parts) > 1 and parts[0] == "tasks" and parts[1] not in tasks
                )
                if unknown:
                    problems.append(f"jobs.{key} {format_path(path)}: {match.group(0)}")
    return problems
