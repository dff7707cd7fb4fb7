"""`pipeline_task`: an update of the deployed pipeline, run on local Spark Declarative Pipelines
with the pipeline resource's own `configuration` and `libraries`.

What is emulated and from where:
- The pipeline runs as its `run_as` or its owner (the deployer): bundle/config/mutator/
  resourcemutator/run_as.go; it needs the Unity Catalog privileges of "Use Unity Catalog with
  pipelines" (privileges.py); a missing one fails the update with PERMISSION_DENIED.
- `configuration` values reach the pipeline code as Spark conf (pipeline settings docs,
  "configuration"); `/Workspace/...` paths are the synced bundle files, `/Volumes/...` paths are
  the volumes the bundle creates (task_paths.py); a missing volume fails the update.
- `libraries[].glob.include` selects the source files (pipeline settings docs, "glob"); the helpers
  come from the pipeline's `environment` (pipeline_code.py: an editable install of the synced
  files, or a wheel cached by its version), and Auto Loader streams without a schema fail on an
  empty folder as Databricks documents (pipeline_code.autoloader_failure).
- Unity Catalog `catalog`/`schema` become one database per deployed target (Target.local_database)
  on the Spark Connect server the emulator was given (the test session's shared one).
  `medallion.engine` becomes `local`: the helpers' bridge for what only Databricks has (Auto
  Loader, expectations, Delta). Update states and events come from how the
  local run ended.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import yaml

from tests.support.emulator.jobs import TaskContext, TaskOutcome
from tests.support.emulator.pipeline_code import CodeMissing, autoloader_failure, code_path, runnable
from tests.support.emulator.privileges import Need, PrivilegeModel, pipeline_needs
from tests.support.emulator.task_paths import VOLUME_PATH, Target, VolumeMissing, identity_of

ENGINE_KEY = "medallion.engine"
UPDATE_KEY = "medallion.update_id"
SOURCE_KEY = "medallion.source_location"
DELTA_SOURCE = re.compile(r"^[A-Za-z_][\w-]*\.[A-Za-z_][\w-]*$")
TIMEOUT_S = 1800
MAX_EXPORTED_ROWS = 5000  # rows per table handed to the fake warehouse (the sample has a few hundred)

# Run the project's own local engine pieces with our pipeline spec (argv[1] is JSON), the way
# `medallion run-local --remote URL --database DB` does: the database created first, then the
# pipeline and its read-back on that server (the data tests task reads there after it).
RUN_UPDATE = """
import json, sys
from pathlib import Path
from medallion.tooling.local.config import spark_environment
from medallion.tooling.local.lock import spark_lock
from medallion.tooling.local.pipeline import run_pipeline
from medallion.tooling.local.project import LocalProject
from medallion.tooling.local.remote_server import RemoteWatch, parse_remote
from medallion.tooling.local.run_report import build_report
from medallion.tooling.local.resources import resolve
from medallion.tooling.local.session import connect_session, table_reader
from medallion.spec import load_spec

args = json.loads(sys.argv[1])
project = LocalProject(Path(args["project"]))
database = args["database"]
resources = resolve()
env = spark_environment(project, resources)

target = parse_remote(args["remote"])
endpoint, watch = target.endpoint, RemoteWatch(target.host, target.port)
with spark_lock():
    with connect_session(endpoint) as spark:
        spark.sql("CREATE DATABASE IF NOT EXISTS " + database)
    run = run_pipeline(
        Path(args["spec_file"]), endpoint.client_env(env), project.pipeline_log, args["full_refresh"],
        print, resources.master, server=watch,
    )
    errors = [] if run.ok else ["spark-pipelines exited with %s" % run.returncode]
    with connect_session(endpoint, database) as spark:
        report = build_report(
            spark, load_spec(Path(args["spec_path"])), table_reader(spark, database),
            flows=run.flows, pipeline_ok=run.ok, errors=errors,
        )
        exported = {}
        for name, info in report["tables"].items():
            if info.get("rows") is not None:
                table = spark.read.table("spark_catalog." + database + "." + name).limit(args["max_rows"])
                exported[name] = [row.asDict(recursive=True) for row in table.collect()]
                fields = table.schema.fields
                exported[name + ".__columns__"] = {f.name: f.dataType.simpleString().upper() for f in fields}
        report["table_rows"] = exported
report["output_tail"] = run.output_tail
report["flows"] = run.flows
report["pipeline_duration_s"] = round(run.duration_s, 1)
Path(args["report"]).write_text(json.dumps(report, default=str))
"""


@dataclass
class Update:
    """One pipeline update as the emulated workspace records it."""

    pipeline_id: str
    update_id: str
    cause: str = "JOB_TASK"
    state: str = "RUNNING"
    errors: list[str] = field(default_factory=list)
    report: dict[str, Any] = field(default_factory=dict)
    full_refresh: bool = False


UpdateListener = Callable[[Update], None]


def find_pipeline(target: Target, pipeline_id: str) -> tuple[str, dict[str, Any]]:
    """The pipeline resource with this id (ids as the deploy registered them) or this key."""
    pipelines = (target.bundle.get("resources") or {}).get("pipelines") or {}
    for key, body in pipelines.items():
        if target.resource_ids.get(("pipelines", key)) == pipeline_id or key == pipeline_id:
            return key, body
    raise LookupError(f"RESOURCE_DOES_NOT_EXIST: The specified pipeline {pipeline_id} was not found.")


class PipelineTasks:
    """The executor for `pipeline_task` of one deployed target; `listeners` see every update
    when it starts and when it ends (the REST face publishes them)."""

    def __init__(self, target: Target, privileges: PrivilegeModel | None = None) -> None:
        self.target = target
        self.privileges = privileges
        self.listeners: list[UpdateListener] = []
        self.updates: list[Update] = []

    def __call__(self, task: dict[str, Any], ctx: TaskContext) -> TaskOutcome:
        spec = task["pipeline_task"]
        update = self.run_update(str(spec["pipeline_id"]), bool(spec.get("full_refresh")), "JOB_TASK")
        if update.state == "COMPLETED":
            return TaskOutcome(True, f"update {update.update_id} COMPLETED")
        first = update.errors[0] if update.errors else "the update failed"
        return TaskOutcome(False, f"update {update.update_id} {update.state}: {first}")

    def run_update(self, pipeline_id: str, full_refresh: bool = False, cause: str = "API_CALL") -> Update:
        _key, pipeline = find_pipeline(self.target, pipeline_id)
        update = Update(pipeline_id, str(uuid.uuid4()), cause, full_refresh=full_refresh)
        self.updates.append(update)
        self._publish(update)
        try:
            self._run(pipeline, update)
        except Exception as error:  # the update fails with the reason; the job sees a failed task
            update.state, update.errors = "FAILED", [*update.errors, f"{type(error).__name__}: {error}"]
        self._publish(update)
        return update

    def _publish(self, update: Update) -> None:
        for listener in self.listeners:
            listener(update)

    def _run(self, pipeline: dict[str, Any], update: Update) -> None:
        identity = identity_of(pipeline, self.target.deployer)
        configuration = {str(k): str(v) for k, v in (pipeline.get("configuration") or {}).items()}
        missing = self.missing_privileges(identity, pipeline, configuration)
        if missing:
            update.state, update.errors = "FAILED", [m.denied() for m in missing[:1]]
            return
        local_conf: dict[str, str] = {}
        for name, value in configuration.items():
            try:
                local_conf[name] = str(self.target.local_path(value)) if _is_path(value) else value
            except VolumeMissing as error:
                # The source folder's volume does not exist: Auto Loader cannot list it.
                update.state, update.errors = "FAILED", [f"[{name}] {error}"]
                return
        try:
            paths = code_path(self.target, pipeline)
            pythonpath = runnable(self.target, paths)
        except CodeMissing as error:
            update.state, update.errors = "FAILED", [f"ModuleNotFoundError: {error}"]
            return
        spec_path = local_conf.get("medallion.spec_path", str(self.target.files / "medallion.yml"))
        failure = autoloader_failure(self.target, paths, {**configuration, "medallion.spec_path": spec_path})
        if failure:
            update.state, update.errors = "FAILED", [failure]
            return
        if not self.target.spark_remote:
            raise RuntimeError("no Spark Connect server for pipeline updates: Emulator(spark_remote=URL)")
        local_conf[ENGINE_KEY] = "local"
        local_conf[UPDATE_KEY] = update.update_id.replace("-", "")
        files = self.target.files
        state = files / ".medallion"
        state.mkdir(parents=True, exist_ok=True)
        libraries = []
        for library in pipeline.get("libraries") or []:
            include = (library.get("glob") or {}).get("include") or (library.get("file") or {}).get("path")
            if include:
                libraries.append(
                    {"glob": {"include": os.path.relpath(self.target.local_path(include), state)}}
                )
        document = {
            "name": files.name,
            "storage": (state / "storage").resolve().as_uri(),
            "catalog": "spark_catalog",
            "database": self.target.local_database,
            "configuration": local_conf,
            "libraries": libraries,
        }
        spec_file = state / "emulated-pipeline.yml"
        spec_file.write_text(yaml.safe_dump(document, sort_keys=False))
        report_file = state / f"update-{update.update_id}.json"
        arguments = {
            "project": str(files),
            "spec_file": str(spec_file),
            "spec_path": local_conf.get("medallion.spec_path", str(files / "medallion.yml")),
            "report": str(report_file),
            "full_refresh": update.full_refresh,
            "max_rows": MAX_EXPORTED_ROWS,
            "database": self.target.local_database,
            "remote": self.target.spark_remote,
        }
        env = {**os.environ, "PYTHONPATH": pythonpath}
        done = subprocess.run(
            [sys.executable, "-c", RUN_UPDATE, json.dumps(arguments)],
            cwd=files,
            env=env,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        if not report_file.exists():
            update.state = "FAILED"
            update.errors = [_last_error(done.stdout + done.stderr)]
            return
        report = json.loads(report_file.read_text())
        update.report = report
        update.state = "COMPLETED" if report.get("status") == "COMPLETED" else "FAILED"
        if update.state == "FAILED":
            tail = "\n".join(report.get("output_tail") or [])
            update.errors = [_last_error(tail) if tail else "; ".join(report.get("errors") or ["FAILED"])]

    def missing_privileges(
        self, identity: str, pipeline: dict[str, Any], configuration: dict[str, str]
    ) -> list[Need]:
        if self.privileges is None:
            return []
        volumes = []
        for value in configuration.values():
            match = VOLUME_PATH.match(value)
            if match:
                volumes.append((match["catalog"], match["schema"], match["volume"]))
        # A Delta source is named `catalog.schema` in the helpers' source location (docs/CONTRACTS.md);
        # reading its tables needs SELECT with USE CATALOG and USE SCHEMA (privileges.html).
        source = configuration.get(SOURCE_KEY, "")
        catalog, _, schema = source.partition(".")
        schemas = [(catalog, schema)] if DELTA_SOURCE.match(source) else []
        needs = pipeline_needs(
            str(pipeline.get("catalog")),
            str(pipeline.get("schema")),
            read_volumes=volumes,
            read_schemas=schemas,
        )
        return self.privileges.missing(identity, needs)


FAIL_GUARD = re.compile(r"fail rule violated in (?P<table>\w+): (?P<rules>\w+(?:, \w+)*)")


def platform_error(text: str) -> dict[str, str | None]:
    """The ERROR event Databricks logs for a failure the local run reports as `text`.

    The helpers stand in for `expect_all_or_fail` with `raise_error('fail rule violated in <table>:
    <rules>')` (medallion/rules.py `fail_guard`; OSS pipelines have no expectations); on Databricks the
    flow fails with the EXPECTATION_VIOLATION error class, worded as
    in tests/monitor/test_diagnosis.py. Other failures keep their own text (PERMISSION_DENIED and
    Spark's error classes read the same on both engines)."""
    found = FAIL_GUARD.search(text)
    if found is None:
        return {"message": text, "class_name": None, "exception_message": None, "dataset": None}
    table, rules = found["table"], found["rules"]
    return {
        "message": f"Flow '{table}' has FAILED fatally. An error occurred because of an expectation.",
        "class_name": "com.databricks.sql.transaction.tahoe.DeltaExpectationViolation",
        "exception_message": (
            f"[EXPECTATION_VIOLATION.VERBOSITY_ALL] Flow '{table}' failed to meet the expectation. "
            f"Violated expectations: '{rules}'."
        ),
        "dataset": table,
    }


def _is_path(value: str) -> bool:
    return value.startswith("/Volumes/") or value.startswith("/Workspace/")


def _last_error(output: str) -> str:
    """The most telling line of a failed run: the last one naming an error or exception."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for line in reversed(lines):
        if any(word in line for word in ("Error", "Exception", "FAILED", "failed")):
            return line
    return lines[-1] if lines else "the update failed without output"
