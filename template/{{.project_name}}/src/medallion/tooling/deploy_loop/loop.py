"""validate -> deploy -> run the job -> monitor the update it causes -> safe fix -> again (bounded).

The job is started with `bundle run --no-wait` and the pipeline update it causes is watched
directly (the first JOB_TASK update after the latest one before the run): the live status and
the diagnosis come from the same monitor the job's own monitor task uses, and a fix such as a
full refresh of a few tables can be started and watched without running the whole job again.
Before anything is deployed, the preflight (preflight.py) refuses, naming the fix, an identity
that cannot use the SQL warehouse or create (or use) the bundle's schema.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from databricks.sdk import WorkspaceClient
from databricks.sdk.service.pipelines import StartUpdateCause

from medallion.monitor.api import call
from medallion.monitor.errors import ConfigurationError
from medallion.monitor.judge import EXIT_CODES
from medallion.monitor.redact import redact
from medallion.monitor.remote import RemoteTarget, monitor_remote
from medallion.monitor.report import render_text
from medallion.monitor.updates import Selector
from medallion.monitor.warehouse import Warehouse
from medallion.monitor.watch import Polling, StatusLine
from medallion.spec.model import Spec
from medallion.tooling.deploy_loop.bundle import BundleCli, BundleCommandError, only_key, pipeline_job_key
from medallion.tooling.deploy_loop.fixes import Fix, apply_grants, choose_fix, log_fix
from medallion.tooling.deploy_loop.preflight import Preflight
from medallion.tooling.deploy_loop.setup_sql import SETUP_SQL, run_setup


@dataclass(frozen=True)
class DeployOptions:
    target: str
    project: Path
    warehouse_id: str | None
    pipeline_key: str | None = None
    job_key: str | None = None
    setup_sql: bool = False
    allow_full_refresh: bool = False
    max_attempts: int = 3
    polling: Polling = field(default_factory=Polling)


def deploy(cli: BundleCli, client: WorkspaceClient, spec: Spec, options: DeployOptions) -> int:
    """Deploy and run `options.target` until the monitor says SUCCESS or no safe fix is left."""
    target = ["-t", options.target]
    summary_before = cli.json("bundle", "validate", *target)
    warehouse_id = options.warehouse_id or _variable(summary_before, "warehouse_id")
    if not warehouse_id:
        raise ConfigurationError("no warehouse: pass --warehouse-id or set the bundle variable warehouse_id")
    warehouse = Warehouse(client, warehouse_id)
    preflight = Preflight(client, summary_before, warehouse)
    preflight.warehouse()  # before any SQL: sql/setup.sql runs on it too
    if options.setup_sql:
        run_setup(warehouse, options.project / SETUP_SQL)
        print(f"ran {SETUP_SQL}", file=sys.stderr)
    preflight.unity_catalog()  # after sql/setup.sql, which grants what a first deploy needs
    cli.run("bundle", "deploy", *target)
    resources = _mapping(cli.json("bundle", "summary", *target), "resources")
    pipelines = _mapping(resources, "pipelines")
    pipeline_key = only_key(pipelines, "pipeline", options.pipeline_key)
    job_key = pipeline_job_key(_mapping(resources, "jobs"), options.job_key)
    pipeline = pipelines[pipeline_key] if isinstance(pipelines[pipeline_key], dict) else {}
    if not pipeline.get("id"):
        raise BundleCommandError(
            f"databricks bundle summary -t {options.target} shows no id for pipeline {pipeline_key}: "
            "was it deployed?"
        )
    remote = RemoteTarget(str(pipeline["id"]), warehouse_id, pipeline_name=pipeline.get("name"))
    fix: Fix | None = None
    for attempt in range(1, options.max_attempts + 1):
        selector = _trigger(cli, client, options.target, remote.pipeline_id, job_key, fix)
        report = monitor_remote(client, spec, remote, selector, options.polling, StatusLine())
        print(render_text(report))  # redacted by render_text
        if report["verdict"] != "FAILED":
            return EXIT_CODES[report["verdict"]]
        fix, reason = choose_fix(report["diagnoses"], options.allow_full_refresh)
        entry = {
            "target": options.target,
            "attempt": attempt,
            "update_ids": report["update_ids"],
            "causes": [d["cause"] for d in report["diagnoses"]],
        }
        if fix is not None and fix.kind == "grant":
            applied, reason = apply_grants(warehouse, options.project)
            fix = fix if applied else None
        log_fix(
            options.project,
            {
                **entry,
                "fix": fix.kind if fix else None,
                "tables": list(fix.tables) if fix else [],
                "applied": fix is not None,
                "detail": reason,
            },
        )
        print(f"attempt {attempt}: {redact(reason)}", file=sys.stderr)
        if fix is None:
            return EXIT_CODES["FAILED"]
    print(
        f"still failing after {options.max_attempts} attempts; see .medallion/fix-log.jsonl", file=sys.stderr
    )
    return EXIT_CODES["FAILED"]


def _mapping(value: dict[str, Any], key: str) -> dict[str, Any]:
    """value[key] when it is an object (missing: empty); a bundle output of another shape is refused."""
    found = value.get(key) or {}
    if not isinstance(found, dict):
        raise BundleCommandError(f"the bundle's `{key}` is a {type(found).__name__}, not an object")
    return found


def _variable(validated: dict[str, Any], name: str) -> str | None:
    """A bundle variable's resolved value from `bundle validate -o json`."""
    variables = validated.get("variables")
    variable = variables.get(name) if isinstance(variables, dict) else None
    value = variable.get("value") if isinstance(variable, dict) else None
    return str(value) if value else None


def _trigger(
    cli: BundleCli, client: WorkspaceClient, target: str, pipeline_id: str, job_key: str, fix: Fix | None
) -> Selector:
    """Start the next attempt: a full refresh of only the named tables, or the job again."""
    updates = f"/api/2.0/pipelines/{pipeline_id}/updates"
    if fix is not None and fix.kind == "full_refresh":
        started = call(
            client,
            f"POST {updates}",
            client.pipelines.start_update,
            pipeline_id,
            retry=False,
            cause=StartUpdateCause.API_CALL,
            full_refresh_selection=list(fix.tables),
        )
        return Selector(update_id=started.update_id)
    latest = (
        call(client, f"GET {updates}", client.pipelines.list_updates, pipeline_id, max_results=1).updates
        or []
    )
    cli.run("bundle", "run", "-t", target, job_key, "--no-wait")
    return Selector(after_update_id=latest[0].update_id if latest else None, after_baseline=True)
