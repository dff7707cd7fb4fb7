"""`medallion run-local` end to end: checks, lock, config files, pipeline run, read-back report.

Everything that can be checked without Spark is checked first (spec, --source and its layout,
memory and cores); nothing is written before the machine-wide lock is held, so two runs in one
project cannot swap each other's pipeline spec or sources.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from medallion.local.config import spark_environment, write_conf_dir, write_pipeline_spec
from medallion.local.lock import spark_lock
from medallion.local.pipeline import PipelineRun, run_pipeline
from medallion.local.project import LocalProject
from medallion.local.report import build_report, stopped_report
from medallion.local.resources import Resources, resolve
from medallion.local.session import readback_session, table_reader
from medallion.sample_data import TABLES, write_sample
from medallion.spec import Spec, load_spec
from medallion.spec.model import SourceTable
from medallion.spec.trace import explain_log

Echo = Callable[[str], None]
LAYOUT = "<root>/<table>/ (one folder per source table, holding its files)"
TAIL_SHOWN = 20


class SourceError(FileNotFoundError):
    """--source (or the default sample folder) is missing or lacks a table's folder."""


def is_retail(spec: Spec) -> bool:
    """True for the bundled retail example (the sample data fits it)."""
    return set(spec.source_names) == set(TABLES)


def table_folder(root: Path, table: SourceTable) -> Path:
    """Where the local engine reads a source table (medallion.readers.location, locally)."""
    source = table.source
    if source.type == "kafka":
        name = source.topic or table.name
    elif source.type == "delta":
        name = table.name
    else:
        name = source.path
    return Path(name) if Path(name).is_absolute() else root / name


def check_source(project: LocalProject, spec: Spec, given: Path | None) -> tuple[Path, bool]:
    """The source root and whether the retail sample must be written there first (under the
    lock); SourceError with one clear line when the folder or a table's folder is missing."""
    if given is None:
        root = project.default_source_root
        if not root.is_dir():
            if is_retail(spec):
                return root, True
            raise SourceError(f"no source data in {root}: pass --source DIR, laid out as {LAYOUT}")
    else:
        root = given.expanduser()
        if not root.is_dir():
            raise SourceError(f"--source {given}: no such folder (expected layout: {LAYOUT})")
    missing = [t.name for t in spec.sources if not table_folder(root, t).is_dir()]
    if missing:
        raise SourceError(
            f"source folder {root} has no folder for {', '.join(missing)} (expected layout: {LAYOUT})"
        )
    return root, False


def source_root(project: LocalProject, spec: Spec, given: Path | None, echo: Echo) -> Path:
    """--source, else fixtures/sample (generated for the retail spec when it is missing)."""
    root, generate = check_source(project, spec, given)
    if generate:
        _write_sample(root, spec, echo)
    return root


def _write_sample(root: Path, spec: Spec, echo: Echo) -> None:
    first = spec.sources[0].source
    echo(f"writing the retail sample to {root} ({first.type}, {first.format or 'json'})")
    write_sample(root, first.format or "json", first.type)


def run_local(
    project: LocalProject,
    *,
    full_refresh: bool = False,
    source: Path | None = None,
    echo: Echo = print,
    resources: Resources | None = None,
) -> dict[str, Any]:
    """Run the pipeline once and return the report (checks first; writes only under the lock)."""
    spec = load_spec(project.spec_path)
    resources = resources or resolve()
    root, generate = check_source(project, spec, source)
    update_id = uuid.uuid4().hex
    asked = time.monotonic()
    with spark_lock():
        started = time.monotonic()
        if generate:
            _write_sample(root, spec, echo)
        write_conf_dir(project, resources)
        spec_file = write_pipeline_spec(project, root.resolve(), update_id)
        env = spark_environment(project, resources)
        shown = root.relative_to(project.root) if root.is_relative_to(project.root) else root
        echo(
            f"running {project.name} locally (update {update_id[:8]}, sources {shown}, "
            f"driver {resources.driver_memory}, {resources.cores} cores)"
        )
        live = echo is print and sys.stdout.isatty()
        pipeline = run_pipeline(
            spec_file, env, project.pipeline_log, full_refresh, echo, resources.master, live=live
        )
        if not pipeline.ok:
            _show_tail(pipeline, project, echo)
        report = _report(project, spec, pipeline, resources)
    report["duration_s"] = round(time.monotonic() - started, 1)
    report["pipeline_duration_s"] = round(pipeline.duration_s, 1)
    report["lock_wait_s"] = round(started - asked, 1)
    report["update_id"] = update_id
    report["resources"] = {
        "driver_memory": resources.driver_memory,
        "cores": resources.cores,
        "from": {"driver_memory": resources.memory_from, "cores": resources.cores_from},
    }
    return report


def _show_tail(pipeline: PipelineRun, project: LocalProject, echo: Echo) -> None:
    tail = pipeline.output_tail[-TAIL_SHOWN:]
    if tail:
        echo(
            "\n".join(
                [f"pipeline output (last {len(tail)} lines; all of it: {project.pipeline_log}):", *tail]
            )
        )


def _report(project: LocalProject, spec: Spec, pipeline: PipelineRun, resources: Resources) -> dict[str, Any]:
    """Read the tables back, unless the run was cut short (then every figure is unknown)."""
    failure = pipeline.failure.as_dict() if pipeline.failure else None
    if failure and failure["kind"] == "flow_failed":
        failure = _traced_to_spec(spec, project.pipeline_log, failure)
    errors = [] if pipeline.ok else [f"{_cause(pipeline)}; log: {project.pipeline_log}"]
    if pipeline.server_lost:
        return stopped_report(spec, flows=pipeline.flows, failure=failure, errors=errors)
    try:
        with readback_session(project, resources) as spark:
            return build_report(
                spark,
                spec,
                table_reader(spark),
                flows=pipeline.flows,
                pipeline_ok=pipeline.ok,
                errors=errors,
                failure=failure,
            )
    except Exception as error:  # the read-back itself failed: say so, show nothing as computed
        first = (str(error).strip().splitlines() or [type(error).__name__])[0]
        failure = failure or {
            "kind": "readback_failed",
            "cause": f"the tables could not be read back after the run: {first}",
            "fix": "run again; if it repeats, run with --full-refresh",
        }
        return stopped_report(
            spec, flows=pipeline.flows, failure=failure, errors=[*errors, f"read-back failed: {first}"]
        )


def _traced_to_spec(spec: Spec, log: Path, failure: dict[str, Any]) -> dict[str, Any]:
    """Name the spec key behind a failed flow's Spark error (rule, measure, aggregate) in the fix."""
    try:
        traced = explain_log(spec, log.read_text(errors="replace"))
    except OSError:
        return failure
    if not traced:
        return failure
    where = traced[0].splitlines()[0]
    return {
        **failure,
        "fix": f"the error comes from {where}: fix it there, run `medallion validate`, then run again",
    }


def _cause(pipeline: PipelineRun) -> str:
    if pipeline.failure is not None:
        return pipeline.failure.cause
    return f"spark-pipelines exited with {pipeline.returncode}"


def write_report(report: dict[str, Any], path: Path) -> None:
    """Write the report JSON (docs/CONTRACTS.md shape plus extra keys)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
