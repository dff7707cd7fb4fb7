"""`medallion monitor`: watch a pipeline update (or judge a local run report) and say SUCCESS or why not.

Exit codes: 0 success, 1 failed or criteria not met, 2 configuration/auth error, 3 timeout.
`--timeout` is one wall-clock deadline over everything (polling, statements, the SDK's own
retries, calls that do not answer): reaching it exits 3 with a one-line cause on stderr.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path
from typing import Any

from databricks.sdk.errors import DatabricksError, ResourceConflict
from databricks.sdk.service.pipelines import StartUpdateCause

from medallion.monitor import connect, job_run
from medallion.monitor.api import call
from medallion.monitor.connect import workspace_client
from medallion.monitor.deadline import Deadline, DeadlineReached
from medallion.monitor.errors import ConfigurationError
from medallion.monitor.judge import EXIT_CODES
from medallion.monitor.local_report import DEFAULT_LOCAL_REPORT, monitor_local
from medallion.monitor.redact import redact
from medallion.monitor.remote import RemoteTarget, monitor_remote
from medallion.monitor.report import render_text, write_json
from medallion.monitor.updates import Selector
from medallion.monitor.watch import Polling, StatusLine
from medallion.spec import SpecError, find_spec, load_spec

# The shortest first poll interval: the pipelines API is not meant to be polled in a loop, and
# an update's state does not change faster than this.
MIN_POLL_INTERVAL_S = 1.0


def seconds(minimum: float) -> Any:
    """An argparse type: a finite number of seconds, at least `minimum` (and above 0)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
        if not math.isfinite(value) or value < minimum or value <= 0:
            raise argparse.ArgumentTypeError(f"{text} s: use a number of seconds >= {minimum:g} and > 0")
        return value

    return parse


def add_timing_arguments(parser: Any, timeout_help: str) -> None:
    """--timeout (wall-clock seconds before exit 3) and --poll-interval, on `parser` or a group."""
    parser.add_argument("--timeout", type=seconds(0.0), default=3600.0, help=timeout_help)
    parser.add_argument(
        "--poll-interval",
        type=seconds(MIN_POLL_INTERVAL_S),
        default=5.0,
        help=f"first poll interval, seconds (at least {MIN_POLL_INTERVAL_S:g})",
    )


def _names(text: str) -> list[str]:
    return [n.strip() for n in text.split(",") if n.strip()]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--spec", type=Path, help="medallion.yml (default: here or above)")
    parser.add_argument("--report-json", type=Path, help="write the report (with verdict, diagnoses) here")
    parser.add_argument("--local", action="store_true", help="judge a local run report instead of Databricks")
    parser.add_argument("--brief", action="store_true", help="print the verdict, criteria and diagnoses only")
    parser.add_argument(
        "--report-json-in", type=Path, help=f"local run report (default {DEFAULT_LOCAL_REPORT})"
    )
    where = parser.add_argument_group("pipeline on Databricks")
    where.add_argument("--pipeline-id", help="pipeline to watch")
    where.add_argument(
        "--warehouse-id",
        default=os.environ.get("DATABRICKS_WAREHOUSE_ID"),
        help="SQL warehouse for table and quality checks (env DATABRICKS_WAREHOUSE_ID)",
    )
    where.add_argument("--catalog", help="override the pipeline's catalog")
    where.add_argument("--schema", help="override the pipeline's schema")
    where.add_argument("--pipeline-name", help="event log <name>_event_log when the pipeline publishes none")
    where.add_argument("--profile", help="Databricks config profile")
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--job-run-id", type=int, help="judge the update this job run caused (job task use)")
    which.add_argument("--since-ms", type=int, help="judge the first job-task update created after this time")
    which.add_argument("--update-id", help="judge this update")
    which.add_argument("--start", action="store_true", help="start an update and judge it")
    which.add_argument("--watch-latest", action="store_true", help="judge the latest update")
    start = parser.add_argument_group("with --start")
    start.add_argument("--full-refresh", action="store_true", help="reset every table")
    start.add_argument("--refresh-selection", type=_names, default=[], help="refresh only these tables: a,b")
    start.add_argument(
        "--full-refresh-selection", type=_names, default=[], help="reset only these tables: a,b"
    )
    timing = parser.add_argument_group("timing")
    add_timing_arguments(timing, "wall-clock seconds for everything before giving up (exit 3)")
    timing.add_argument(
        "--max-poll-interval",
        type=seconds(MIN_POLL_INTERVAL_S),
        default=30.0,
        help="longest poll interval, seconds",
    )


def run(args: argparse.Namespace) -> int:
    try:
        spec = load_spec(args.spec or find_spec())
        if args.local:
            report = monitor_local(args.report_json_in or spec.path.parent / DEFAULT_LOCAL_REPORT, spec)
        else:
            report = _remote(args, spec)
    except DeadlineReached as error:
        print(f"monitor: timeout: {_one_line(error)}", file=sys.stderr)
        return 3
    except (ConfigurationError, SpecError, FileNotFoundError, ValueError) as error:
        print(f"monitor: {redact(str(error))}", file=sys.stderr)
        return 2
    print(render_text(report, brief=args.brief))
    if args.report_json:
        write_json(report, args.report_json)
    return EXIT_CODES[report["verdict"]]


def _one_line(error: Exception) -> str:
    return redact(" ".join(str(error).split()))


def _remote(args: argparse.Namespace, spec: Any) -> dict[str, Any]:
    if not args.pipeline_id:
        raise ConfigurationError("--pipeline-id is required (or use --local)")
    if not args.warehouse_id:
        raise ConfigurationError(
            "--warehouse-id (or DATABRICKS_WAREHOUSE_ID) is required for the table checks"
        )
    client = workspace_client(args.profile, Deadline(connect.make_clock(), args.timeout))
    try:
        if args.job_run_id is not None:
            run = _get_run(client, args.job_run_id)
            task = job_run.pipeline_task(run, args.pipeline_id)
            state = job_run.not_started_state(task) if task else None
            if task and state:
                return job_run.not_started_report(run, task, state, args.pipeline_id)
            selector = Selector(since_ms=run.start_time)
        else:
            selector = _selector(args, client)
        target = RemoteTarget(
            args.pipeline_id, args.warehouse_id, args.catalog, args.schema, args.pipeline_name
        )
        polling = Polling(args.poll_interval, max(args.poll_interval, args.max_poll_interval), args.timeout)
        return monitor_remote(client, spec, target, selector, polling, StatusLine())
    except DatabricksError as error:
        raise ConfigurationError(f"Databricks refused a request: {_one_line(error)}") from None


def _get_run(client: Any, run_id: int) -> Any:
    return call(client, f"GET /api/2.2/jobs/runs/get?run_id={run_id}", client.jobs.get_run, run_id)


def _selector(args: argparse.Namespace, client: Any) -> Selector:
    """What to judge when no job run names it (--job-run-id is handled by _remote)."""
    if args.since_ms is not None:
        return Selector(since_ms=args.since_ms)
    if args.update_id:
        return Selector(update_id=args.update_id)
    if args.start:
        try:
            started = call(
                client,
                f"POST /api/2.0/pipelines/{args.pipeline_id}/updates",
                client.pipelines.start_update,
                args.pipeline_id,
                retry=False,
                cause=StartUpdateCause.API_CALL,
                full_refresh=args.full_refresh or None,
                refresh_selection=args.refresh_selection or None,
                full_refresh_selection=args.full_refresh_selection or None,
            )
        except ResourceConflict as error:
            raise ConfigurationError(
                f"cannot start an update of pipeline {args.pipeline_id}: {_one_line(error)} "
                "Wait for it, or judge it with --watch-latest."
            ) from None
        print(f"started update {started.update_id}", file=sys.stderr)
        return Selector(update_id=started.update_id)
    if args.watch_latest:
        return Selector(latest=True)
    raise ConfigurationError(
        "choose what to judge: --job-run-id, --since-ms, --update-id, --start or --watch-latest"
    )
