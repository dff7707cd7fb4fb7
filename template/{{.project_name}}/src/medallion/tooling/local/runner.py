"""`medallion run-local` end to end: checks, lock, config files, server, pipeline run, report.

Everything that can be checked without Spark is checked first (spec, --select, --source and its
layout, memory and cores); nothing is written before the machine-wide lock is held, so two runs
in one project cannot swap each other's pipeline spec or sources. The pipeline and its report
run on one Spark Connect server: the project's own (kept warm between runs) or the one
`--remote` names.
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from medallion.naming import expected_tables
from medallion.readers import source_folder
from medallion.retail_sample import is_retail, write_sample
from medallion.spec import Spec, load_spec
from medallion.spec.model import SourceTable
from medallion.spec.trace import explain_log
from medallion.sql import quote_name
from medallion.tooling.local import failure as failures
from medallion.tooling.local.config import DATABASE, spark_environment, write_conf_dir, write_pipeline_spec
from medallion.tooling.local.connect_server import Endpoint, OwnServerWatch, serving
from medallion.tooling.local.lock import spark_lock
from medallion.tooling.local.pipeline import PipelineRun, ServerWatch, run_pipeline
from medallion.tooling.local.project import LocalProject
from medallion.tooling.local.remote_server import RemoteWatch, parse_remote
from medallion.tooling.local.resources import Resources, resolve
from medallion.tooling.local.run_report import build_report, stopped_report
from medallion.tooling.local.run_settings import for_source
from medallion.tooling.local.selection import Selection, select
from medallion.tooling.local.session import EarlySession, connect_session, table_reader
from medallion.tooling.local.table_shapes import changed_tables, fingerprints, record

Echo = Callable[[str], None]
LAYOUT = "<root>/<table>/ (one folder per source table, holding its files)"
TAIL_SHOWN = 20


class SourceError(FileNotFoundError):
    """--source (or the default sample folder) is missing or lacks a table's folder."""


def table_folder(root: Path, table: SourceTable) -> Path:
    """Where the local engine reads a source table under `root`."""
    return Path(source_folder(table, str(root), local=True))


def check_source(project: LocalProject, spec: Spec, given: Path | None) -> tuple[Path, bool]:
    """The local source folder and whether the retail sample must be written there first (under the
    lock); SourceError with one clear line when the folder or a table's folder is missing."""
    if given is None:
        root = project.default_source_location
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
    selected: Sequence[str] = (),
    remote: str | None = None,
    database: str | None = None,
    cold: bool = False,
) -> dict[str, Any]:
    """Run the pipeline once and return the report (checks first; writes only under the lock).

    `selected` (`--select`) limits the run to some tables (`TABLE+`: and their dependants);
    `remote` runs on that Spark Connect server (in `database`, by default the project's name)
    instead of the project's own server; `cold` restarts the project's server first."""
    spec = load_spec(project.spec_path)
    resources = resources or resolve()
    selection = select(spec, selected)
    target = parse_remote(remote) if remote else None
    database = (database or project.name) if target else DATABASE
    root, generate = check_source(project, spec, source)
    update_id = uuid.uuid4().hex
    shapes = fingerprints(spec)
    rebuilt = [t for t in changed_tables(project.state, database, shapes) if selection.refreshed(t)]
    refresh = rebuild_args(selection, rebuilt, full_refresh)
    asked = time.monotonic()
    with spark_lock():
        started = time.monotonic()
        if generate:
            _write_sample(root, spec, echo)
        settings = for_source(table_folder(root, table) for table in spec.sources)
        write_conf_dir(project, resources)
        spec_file = write_pipeline_spec(project, root.resolve(), update_id, database, settings.sql_conf)
        env = spark_environment(project, resources)
        shown = root.relative_to(project.root) if root.is_relative_to(project.root) else root
        with _server(project, resources, target, cold, echo) as (endpoint, watch):
            where = f"on {target.shown}, database {database}, " if target else _own_server(endpoint)
            echo(
                f"running {project.name} (update {update_id[:8]}, sources {shown}, {where}"
                f"driver {resources.driver_memory}, {resources.cores} cores)"
            )
            if not selection.everything:
                echo(f"refreshing {len(selection.tables)} table(s): {', '.join(selection.tables)}")
            live = echo is print and sys.stdout.isatty()
            if target:
                with connect_session(endpoint, DATABASE, watch.alive) as spark:
                    spark.sql(f"CREATE DATABASE IF NOT EXISTS {database}")
            if rebuilt:
                echo(
                    f"medallion.yml changed the columns of {', '.join(rebuilt)} since the last run: "
                    "dropping and rebuilding them (a full refresh of these tables only)"
                )
                with connect_session(endpoint, database, watch.alive) as spark:
                    for table in rebuilt:
                        spark.sql(f"DROP TABLE IF EXISTS {quote_name(database, table)}")
            # opens while the pipeline runs
            reader = EarlySession(endpoint, database, watch.alive, settings.sql_conf)
            try:
                pipeline = run_pipeline(
                    spec_file,
                    endpoint.client_env(env),
                    project.pipeline_log,
                    full_refresh,
                    echo,
                    resources.master,
                    live=live,
                    refresh=refresh,
                    server=watch,
                    layers={t: layer for t, layer in expected_tables(spec).items() if selection.refreshed(t)},
                )
                if not pipeline.ok:
                    _show_tail(pipeline, project, echo)
                report_started = time.monotonic()
                report = _report(project, spec, pipeline, reader, database, watch, resources.driver_memory)
                report["report_duration_s"] = round(time.monotonic() - report_started, 1)
            finally:
                reader.close(server_alive=watch.alive())
    if pipeline.ok:
        record(project.state, database, shapes, selection.tables)
    if rebuilt:
        report["rebuilt"] = rebuilt
    _mark_selection(report, selection)
    report["duration_s"] = round(time.monotonic() - started, 1)
    report["pipeline_duration_s"] = round(pipeline.duration_s, 1)
    report["lock_wait_s"] = round(started - asked, 1)
    report["update_id"] = update_id
    report["server"] = {
        "url": target.shown if target else endpoint.url,
        "kind": "remote" if target else "project",
        "warm": endpoint.warm,
        "database": database,
    }
    report["settings"] = settings.describe()
    report["resources"] = {
        "driver_memory": resources.driver_memory,
        "cores": resources.cores,
        "from": {"driver_memory": resources.memory_from, "cores": resources.cores_from},
    }
    return report


def rebuild_args(selection: Selection, rebuilt: list[str], full_refresh: bool) -> list[str]:
    """spark-pipelines' refresh options: the selection's, with the rebuilt tables fully refreshed
    and the rest of the selection refreshed as usual."""
    if not rebuilt or full_refresh:
        return selection.cli_args(full_refresh)
    others = [t for t in selection.tables if t not in rebuilt]
    return ["--full-refresh", ",".join(rebuilt), *(["--refresh", ",".join(others)] if others else [])]


def _own_server(endpoint: Endpoint) -> str:
    """A warm server is named on the run's line; a new one on its own line as it starts (with
    its port and log), so the line fits 100 columns (the demo's screen)."""
    return f"warm project server pid {endpoint.pid}, " if endpoint.warm else ""


@contextmanager
def _server(
    project: LocalProject, resources: Resources, target: Any, cold: bool, echo: Echo
) -> Iterator[tuple[Endpoint, ServerWatch]]:
    """The server of this run and how to watch it: the --remote one, or the project's own."""
    if target is not None:
        yield target.endpoint, RemoteWatch(target.host, target.port)
        return
    with serving(project, resources, cold=cold, echo=echo) as endpoint:
        yield endpoint, OwnServerWatch.of(project, endpoint)


def _mark_selection(report: dict[str, Any], selection: Selection) -> None:
    """A selective run says which tables it left as they were (`refreshed: false`)."""
    if selection.everything:
        return
    report["selection"] = list(selection.tables)
    for name, info in report["tables"].items():
        if not selection.refreshed(name):
            info["refreshed"] = False


def _show_tail(pipeline: PipelineRun, project: LocalProject, echo: Echo) -> None:
    tail = pipeline.output_tail[-TAIL_SHOWN:]
    if tail:
        echo(
            "\n".join(
                [f"pipeline output (last {len(tail)} lines; all of it: {project.pipeline_log}):", *tail]
            )
        )


def _report(
    project: LocalProject,
    spec: Spec,
    pipeline: PipelineRun,
    reader: EarlySession,
    database: str,
    watch: ServerWatch,
    driver_memory: str,
) -> dict[str, Any]:
    """Read the tables back on the run's server, unless the run was cut short or the server is
    gone before or during the read-back (then every figure is unknown)."""
    failure = pipeline.failure.as_dict() if pipeline.failure else None
    if failure and failure["kind"] == "flow_failed":
        failure = _traced_to_spec(spec, project.pipeline_log, failure)
    errors = [] if pipeline.ok else [f"{_cause(pipeline)}; log: {project.pipeline_log}"]

    def server_gone() -> dict[str, Any]:
        lost = failures.server_lost(watch.returncode(), driver_memory, watch.tail(), failures.READBACK_PHASE)
        return stopped_report(
            spec, flows=pipeline.flows, failure=failure or lost.as_dict(), errors=[*errors, lost.cause]
        )

    if pipeline.server_lost:
        return stopped_report(spec, flows=pipeline.flows, failure=failure, errors=errors)
    if not watch.alive():  # it ended after the pipeline did
        return server_gone()
    try:
        spark = reader.session()
        report = build_report(
            spark,
            spec,
            table_reader(spark, database),
            flows=pipeline.flows,
            pipeline_ok=pipeline.ok,
            errors=errors,
            failure=failure,
        )
        # the session stops retrying once the server is gone; what it read is then incomplete
        return report if watch.alive() else server_gone()
    except Exception as error:  # the read-back itself failed: say so, show nothing as computed
        if not watch.alive():
            return server_gone()
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
