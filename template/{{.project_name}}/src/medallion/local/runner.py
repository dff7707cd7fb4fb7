"""`medallion run-local` end to end: spec check, config files, pipeline run, read-back report."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

from medallion.local.config import spark_environment, write_conf_dir, write_pipeline_spec
from medallion.local.lock import spark_lock
from medallion.local.pipeline import run_pipeline
from medallion.local.project import LocalProject
from medallion.local.report import build_report
from medallion.local.session import readback_session, table_reader
from medallion.sample_data import TABLES, write_sample
from medallion.spec import Spec, load_spec

Echo = Callable[[str], None]


def is_retail(spec: Spec) -> bool:
    """True for the bundled retail example (the sample data fits it)."""
    return set(spec.source_names) == set(TABLES)


def source_root(project: LocalProject, spec: Spec, given: Path | None, echo: Echo) -> Path:
    """--source, else fixtures/sample (generated for the retail spec when it is missing)."""
    if given is not None:
        return given
    root = project.default_source_root
    if root.is_dir():
        return root
    if not is_retail(spec):
        raise FileNotFoundError(f"no source data in {root}: pass --source DIR")
    first = spec.sources[0].source
    echo(f"writing the retail sample to {root} ({first.type}, {first.format or 'json'})")
    write_sample(root, first.format or "json", first.type)
    return root


def run_local(
    project: LocalProject,
    *,
    full_refresh: bool = False,
    source: Path | None = None,
    echo: Echo = print,
) -> dict[str, Any]:
    """Run the pipeline once and return the report (the spec is checked before Spark starts)."""
    spec = load_spec(project.spec_path)
    root = source_root(project, spec, source, echo)
    update_id = uuid.uuid4().hex
    write_conf_dir(project)
    spec_file = write_pipeline_spec(project, root, update_id)
    env = spark_environment(project)
    asked = time.monotonic()
    with spark_lock():
        started = time.monotonic()
        shown = root.relative_to(project.root) if root.is_relative_to(project.root) else root
        echo(f"running {project.name} locally (update {update_id[:8]}, sources {shown})")
        pipeline = run_pipeline(spec_file, env, project.pipeline_log, full_refresh, echo)
        if not pipeline.ok:
            echo("\n".join(["pipeline output (last lines):", *pipeline.output_tail]))
        errors = (
            []
            if pipeline.ok
            else [f"spark-pipelines exited with {pipeline.returncode}; log: {project.pipeline_log}"]
        )
        with readback_session(project) as spark:
            report = build_report(
                spark,
                spec,
                table_reader(spark),
                flows=pipeline.flows,
                pipeline_ok=pipeline.ok,
                errors=errors,
            )
    report["duration_s"] = round(time.monotonic() - started, 1)
    report["pipeline_duration_s"] = round(pipeline.duration_s, 1)
    report["lock_wait_s"] = round(started - asked, 1)
    report["update_id"] = update_id
    return report


def write_report(report: dict[str, Any], path: Path) -> None:
    """Write the report JSON (docs/CONTRACTS.md shape plus extra keys)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, default=str) + "\n")
