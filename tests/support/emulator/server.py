"""The emulated workspace behind a REST face the real databricks-sdk talks to.

`Emulator` holds what a workspace would: deployed targets (resolved by the emulator's resolver,
artifacts built, files synced, ids registered), the Unity Catalog privilege model, and job runs
executed by the job runner with the task executors. `EmulatorServer` is the fake API of
tests/support/fake_databricks.py with these routes taken over:
- `POST /api/2.2/jobs/run-now` starts a real run (a thread) of the deployed job;
- `GET /api/2.2/jobs/runs/get` answers that run (state, result, tasks) in the SDK's shape;
- `POST /api/2.0/sql/statements` also records GRANTs in the privilege model, then the fake's
  warehouse answers as before; an emulator with `warehouse_users` (None: everyone) refuses
  anyone else with 403 PERMISSION_DENIED;
- SCIM `Me` answers the deployer (`user`); Unity Catalog's catalogs, schemas and effective
  permissions (the deploy's preflight) answer from the privilege model: a schema exists once it
  has an owner, every catalog exists, privileges are those `PrivilegeModel.has` grants;
- `POST /emulator/cli` runs one `databricks` CLI command in the emulator (fake_cli.py).
Pipeline updates a run causes are published into the fake's state as they start and end, with
the tables, row counts and expectation figures of the real local update, so the pipeline
endpoints, the event log and the warehouse answer what really happened.
"""

from __future__ import annotations

import hashlib
import itertools
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import sqlglot
from databricks.sdk.service.catalog import (
    CatalogInfo,
    EffectivePermissionsList,
    EffectivePrivilege,
    EffectivePrivilegeAssignment,
    Privilege,
    SchemaInfo,
)
from databricks.sdk.service.iam import User
from databricks.sdk.service.jobs import (
    Run,
    RunLifeCycleState,
    RunNowResponse,
    RunResultState,
    RunState,
    RunTask,
)
from sqlglot import exp

from medallion.spec.fragments import tables_read
from tests.support import fake_databricks
from tests.support.emulator.artifacts import build_artifacts
from tests.support.emulator.jobs import JobRun, JobRunner
from tests.support.emulator.privileges import Need, PrivilegeModel, Securable, normalise, schema_reach
from tests.support.emulator.resolve import resolve_target
from tests.support.emulator.task_notebook import NotebookTasks, SqlTasks
from tests.support.emulator.task_paths import Target
from tests.support.emulator.task_pipeline import PipelineTasks, Update, platform_error
from tests.support.emulator.task_wheel import WheelTasks
from tests.support.fake_databricks import TOKEN, Error, FakeServer, FakeWorkspace, warehouse_denied

DEPLOYER = "data.engineer@example.com"  # the fake's /Me user


@dataclass
class Deployed:
    target: Target
    name: str
    job_ids: dict[str, int] = field(default_factory=dict)
    pipeline_ids: dict[str, str] = field(default_factory=dict)
    dashboards: dict[str, dict[str, Any]] = field(default_factory=dict)
    alerts: dict[str, dict[str, Any]] = field(default_factory=dict)
    owner: str = ""
    """Who deployed (and so owns) the target's dashboards and alerts."""


class Emulator:
    """Deployed targets, privileges and job runs of one emulated workspace."""

    def __init__(
        self,
        state: Path,
        workspace: FakeWorkspace | None = None,
        user: str = DEPLOYER,
        spark_remote: str | None = None,
    ) -> None:
        """`spark_remote`: the Spark Connect server (sc://...) for pipeline updates and data
        tests, a database per deployed target; needed only by jobs that run the pipeline."""
        self.state = Path(state)
        self.spark_remote = spark_remote
        self.fake = workspace or FakeWorkspace()
        self.user = user
        self.privileges = PrivilegeModel()
        self.warehouse_users: set[str] | None = None  # who may use the SQL warehouse; None: everyone
        self.updates: list[Update] = []  # every pipeline update of every run, as it ends
        self.tokens: dict[str, str] = {TOKEN: user}  # token -> the identity it authenticates
        self.deployed: dict[tuple[str, str], Deployed] = {}
        self.jobs: dict[int, tuple[Deployed, str]] = {}
        self.runs: dict[int, JobRun] = {}
        self.threads: dict[int, threading.Thread] = {}
        self.host: str | None = None
        self.token = TOKEN
        self._job_ids = itertools.count(1001)
        self._fake_updates: dict[str, Any] = {}
        self.pipeline_names: dict[str, str] = {}
        self.log: list[str] = []

    def token_for(self, identity: str) -> str:
        """The token a job task running as `identity` authenticates with (Jobs runs each task as
        the job's run_as: databricks/cli bundle/config/mutator/resourcemutator/run_as.go)."""
        if identity == self.user:
            return TOKEN
        token = f"{TOKEN}-as-{hashlib.sha256(identity.encode()).hexdigest()[:12]}"
        self.tokens[token] = identity
        self.fake.identity_tokens.add(token)
        return token

    # -- bundle commands ---------------------------------------------------------------------

    def resolve(self, project: Path, target: str | None) -> Any:
        """The target as the deployer's CLI resolves it; a `warehouse` lookup fails for a deployer
        who cannot use the warehouse: the CLI resolves it with GetByName over the warehouses the
        caller may see (databricks/cli bundle/config/variable/resolve_warehouse.go; List SQL
        warehouses API: "that a user has access to") and reports
        `failed to resolve <lookup>, err: ...` (bundle/config/mutator/resolve_lookup_variables.go)."""
        resolved = resolve_target(Path(project), target, self.user)
        users = self.warehouse_users
        for use in resolved.lookups:
            if use.kind == "warehouse" and users is not None and self.user not in users:
                missing = f"warehouse named '{use.name}' does not exist"
                raise RuntimeError(f"failed to resolve warehouse: {use.name}, err: {missing}")
        return resolved

    def deploy(self, project: Path, target: str | None) -> Deployed:
        """`bundle deploy`: build artifacts (build.go), sync files, create schemas/volumes as the
        deployer with their grants, create or update the job and pipeline (ids kept per key),
        the dashboards and the alerts (kept as configured, owned by the deployer)."""
        resolved = self.resolve(project, target)
        if resolved.errors:
            raise RuntimeError("; ".join(str(e) for e in resolved.errors))
        key = (str(Path(project).resolve()), resolved.target)
        self.check_schema_creation(resolved.config)
        build_artifacts(Path(project), resolved.config.get("artifacts") or {}, fresh=True)
        state = self.state / f"{Path(project).name}-{resolved.target}"
        runtime = Target(
            Path(project).resolve(),
            resolved.config,
            state,
            deployer=self.user,
            host=self.host,
            token=self.token,
            resource_ids=dict(resolved.resource_ids),
        )
        runtime.sync()
        deployed = Deployed(runtime, resolved.target)
        for job_key in resolved.resources("jobs"):
            registered = str(resolved.resource_ids.get(("jobs", job_key), ""))
            job_id = int(registered) if registered.isdigit() else next(self._job_ids)
            deployed.job_ids[job_key] = job_id
            self.jobs[job_id] = (deployed, job_key)
        for pipeline_key, body in resolved.resources("pipelines").items():
            pipeline_id = resolved.resource_ids[("pipelines", pipeline_key)]
            deployed.pipeline_ids[pipeline_key] = pipeline_id
            event_log = (body.get("event_log") or {}).get("name") or f"{pipeline_key}_event_log"
            with self.fake.lock:  # the fake serves one pipeline: the latest deployed
                self.fake.pipeline_id = pipeline_id
                if hasattr(self.fake, "event_log_name"):  # the fake serves event_log.name as set
                    self.fake.pipeline_name = str(body.get("name"))
                    self.fake.event_log_name = event_log
                else:  # an older fake names it `<pipeline_name>_event_log`: give it that base; the
                    # real (prefixed) name is patched into pipelines/get answers (_EmulatorHandler)
                    self.fake.pipeline_name = event_log.removesuffix("_event_log")
                self.fake.catalog, self.fake.schema = str(body.get("catalog")), str(body.get("schema"))
            self.pipeline_names[pipeline_id] = str(body.get("name"))
        deployed.dashboards = dict(resolved.resources("dashboards"))
        deployed.alerts = dict(resolved.resources("alerts"))
        deployed.owner = self.user
        self.privileges.apply_bundle(resolved.config, self.user)
        self.deployed[key] = deployed
        self.log.append(f"deployed {resolved.target} of {project}")
        return deployed

    def check_schema_creation(self, config: dict[str, Any]) -> None:
        """Creating a schema needs USE CATALOG and CREATE SCHEMA on its catalog (Unity Catalog
        docs, "Create schemas": required permissions); a schema that exists is only updated."""
        for body in ((config.get("resources") or {}).get("schemas") or {}).values():
            schema = Securable("SCHEMA", f"{body['catalog_name']}.{body['name']}")
            if schema in self.privileges.owners:
                continue
            catalog = Securable("CATALOG", str(body["catalog_name"]))
            needs = [Need("USE CATALOG", catalog), Need("CREATE SCHEMA", catalog)]
            missing = self.privileges.missing(self.user, needs)
            if missing:
                raise PermissionError(f"cannot create schema {schema.name}: {missing[0].denied()}")

    def summary(self, project: Path, target: str | None) -> dict[str, Any]:
        """`bundle summary -o json`: the configuration with each deployed resource's id."""
        resolved = self.resolve(project, target)
        deployed = self.deployed.get((str(Path(project).resolve()), resolved.target))
        config = resolved.config
        resources = {kind: dict(items) for kind, items in (config.get("resources") or {}).items()}
        for kind in ("jobs", "pipelines"):
            for key, body in list(resources.get(kind, {}).items()):
                ids = (deployed.job_ids if kind == "jobs" else deployed.pipeline_ids) if deployed else {}
                resources[kind][key] = {**body, **({"id": str(ids[key])} if key in ids else {})}
        return {"bundle": config.get("bundle"), "workspace": config.get("workspace"), "resources": resources}

    # -- job runs ----------------------------------------------------------------------------

    def run_now(self, job_id: int, job_parameters: dict[str, Any] | None = None) -> int:
        deployed, job_key = self.jobs[job_id]
        target = deployed.target
        target.host, target.token = self.host, self.token
        target.token_for = self.token_for
        target.spark_remote = self.spark_remote
        pipelines = PipelineTasks(target, self.privileges)
        pipelines.listeners.append(self._publish_update)
        runner = JobRunner(
            {
                "python_wheel_task": WheelTasks(target, self.privileges),
                "pipeline_task": pipelines,
                "notebook_task": NotebookTasks(target, self.privileges),
                "sql_task": SqlTasks(target, self.privileges),
            }
        )
        job = target.bundle["resources"]["jobs"][job_key]
        run = runner.start(job, job_id, job_parameters)
        self.runs[run.run_id] = run
        with self.fake.lock:
            self.fake.runs[run.run_id] = run.start_time
        thread = threading.Thread(target=runner.execute, args=(job, run), daemon=True)
        self.threads[run.run_id] = thread
        thread.start()
        return run.run_id

    def wait(self, run_id: int | None = None, timeout: float = 1800) -> list[JobRun]:
        """Wait for the given run (or every run) to end; the runs."""
        ids = [run_id] if run_id is not None else list(self.threads)
        deadline = time.monotonic() + timeout
        for rid in ids:
            self.threads[rid].join(max(0.0, deadline - time.monotonic()))
        return [self.runs[rid] for rid in ids]

    def run_json(self, run_id: int) -> dict[str, Any]:
        run = self.runs[run_id]
        done = run.result_state is not None
        tasks = [
            RunTask(
                task_key=t.task_key,
                run_id=t.run_id,
                start_time=t.start_time,
                end_time=t.end_time or None,
                state=RunState(
                    life_cycle_state=RunLifeCycleState.TERMINATED
                    if t.result_state
                    else RunLifeCycleState.RUNNING,
                    result_state=RunResultState(t.result_state) if t.result_state else None,
                    state_message=t.state_message,
                ),
            )
            for t in run.tasks.values()
        ]
        answer = Run(
            run_id=run.run_id,
            job_id=int(run.job_id),
            number_in_job=run.run_id,
            run_name=run.job_name,
            start_time=run.start_time,
            end_time=run.end_time or None,
            state=RunState(
                life_cycle_state=RunLifeCycleState.TERMINATED if done else RunLifeCycleState.RUNNING,
                result_state=RunResultState(run.result_state) if done else None,
            ),
            tasks=tasks,
            job_parameters=None,
        )
        return answer.as_dict()

    # -- what updates publish ----------------------------------------------------------------

    def _publish_update(self, update: Update) -> None:
        fake = self.fake
        with fake.lock:
            known = self._fake_updates.get(update.update_id)
            if known is None:
                known = _add_update(fake, update)
                known.creation_time = int(time.time() * 1000)
                self._fake_updates[update.update_id] = known
                return
            self.updates.append(update)
            known.states = ["RUNNING", update.state]
            known.start_tick = fake.tick - 1
            known.errors = [_fake_error(e) for e in update.errors]
            _publish_figures(fake, known, update)


def _add_update(fake: FakeWorkspace, update: Update) -> Any:
    try:
        return fake.add_update(update.cause, ["RUNNING"], update_id=update.update_id)
    except TypeError:  # the fake before it took update ids
        added = fake.add_update(update.cause, ["RUNNING"])
        added.update_id = update.update_id
        return added


_WAREHOUSE_TYPES = {"TINYINT": "BIGINT", "SMALLINT": "BIGINT", "INT": "BIGINT", "BIGINT": "BIGINT"}
_WAREHOUSE_TYPES |= {"BOOLEAN": "BOOLEAN", "DOUBLE": "DOUBLE", "FLOAT": "DOUBLE"}


def _warehouse_table(
    columns: dict[str, str], rows: list[dict[str, Any]]
) -> tuple[dict[str, str], list[dict[str, Any]]]:
    """The table as the fake warehouse holds it: integer, boolean and floating columns keep
    their kind, every other column (decimals, timestamps, structs) is STRING text."""
    declared = {name: _WAREHOUSE_TYPES.get(kind, "STRING") for name, kind in columns.items()}
    converted = [
        {n: (v if v is None or declared[n] != "STRING" else str(v)) for n, v in row.items() if n in declared}
        for row in rows
    ]
    return declared, converted


def _fake_error(text: str) -> Error:
    found = platform_error(text)
    error = Error(message=str(found["message"]), dataset=found["dataset"] or _dataset_of(text))
    if found["class_name"]:
        error.class_name = str(found["class_name"])
        error.exception_message = found["exception_message"]
    return error


def _dataset_of(message: str) -> str | None:
    found = re.search(r"violated in (\w+)|table[s]? `?(\w+)`?", message)
    return (found.group(1) or found.group(2)) if found else None


def _publish_figures(fake: FakeWorkspace, known: Any, update: Update) -> None:
    """Tables, rows and expectation figures of the real update: rows per table and flows per
    update."""
    report = update.report or {}
    tables = report.get("tables") or {}
    rows_of = report.get("table_rows") or {}
    rules: dict[str, list[tuple[str, int, int]]] = {}
    for rule in report.get("rules") or []:
        rules.setdefault(rule["table"], []).append((rule["rule"], int(rule["passed"]), int(rule["failed"])))
    flows = []
    for name, info in tables.items():
        if info.get("rows") is None:
            continue
        columns, rows = _warehouse_table(rows_of.get(f"{name}.__columns__") or {}, rows_of.get(name) or [])
        fake.add_table(name, rows, columns or None)
        flows.append(fake_databricks.Flow(name, int(info["rows"]), rules.get(name, [])))
    known.flows = flows


def statement_refusal(model: PrivilegeModel, caller: str, sql: str) -> dict[str, Any] | None:
    """A FAILED statement when `caller` may not read a table the SQL names (three-part names):
    USE CATALOG, USE SCHEMA and SELECT, inherited from catalog and schema ("Unity Catalog
    privileges and securable objects"); the Statement Execution API reports a SQL error as
    `status.state` FAILED with `status.error` (docs: "Statement Execution API"). None: allowed."""
    try:
        parsed = [s for s in sqlglot.parse(sql, read="databricks") if s is not None]
    except sqlglot.errors.ParseError:
        return None  # the warehouse answers as it would
    for statement in parsed:
        if not isinstance(statement, (exp.Select, exp.Union, exp.With)) and not statement.find(exp.Select):
            continue
        for table in tables_read(statement):
            if not table.catalog or not table.db:
                continue
            needs = [
                *schema_reach(table.catalog, table.db),
                Need("SELECT", Securable("TABLE", f"{table.catalog}.{table.db}.{table.name}")),
            ]
            missing = model.missing(caller, needs)
            if missing:
                return {
                    "statement_id": f"01ef-denied-{abs(hash((caller, sql))) % 10**8:08d}",
                    "status": {
                        "state": "FAILED",
                        "error": {"error_code": "PERMISSION_DENIED", "message": missing[0].denied()},
                    },
                }
    return None


# Privileges the effective-permissions answer reports when the model grants them.
_PRIVILEGES = (
    "ALL_PRIVILEGES",
    "USE_CATALOG",
    "CREATE_SCHEMA",
    "USE_SCHEMA",
    "CREATE_TABLE",
    "CREATE_MATERIALIZED_VIEW",
    "CREATE_VOLUME",
    "CREATE_FUNCTION",
    "SELECT",
    "MODIFY",
    "READ_VOLUME",
    "WRITE_VOLUME",
)
_UC = re.compile(
    r"^/api/2\.1/unity-catalog/(?:(?P<what>catalogs|schemas)/(?P<name>[^/]+)"
    r"|effective-permissions/(?P<type>[^/]+)/(?P<full>[^/]+))$"
)


def _unity_catalog(emulator: Emulator, path: str, query: dict[str, Any]) -> tuple[int, dict[str, Any]] | None:
    """SCIM Me and Unity Catalog reads from the privilege model; None for other paths."""
    model = emulator.privileges
    if path == "/api/2.0/preview/scim/v2/Me":  # GET /api/2.0/preview/scim/v2/Me
        return 200, User(id="4711", user_name=emulator.user, display_name=emulator.user).as_dict()
    found = _UC.match(path)
    if found is None:
        return None
    if found["what"] == "catalogs":  # GET /api/2.1/unity-catalog/catalogs/{name}
        name = found["name"]
        return 200, CatalogInfo(
            name=name, full_name=name, owner=model.owners.get(Securable("CATALOG", name))
        ).as_dict()
    if found["what"] == "schemas":  # GET /api/2.1/unity-catalog/schemas/{full_name}
        schema = Securable("SCHEMA", found["name"])
        if schema not in model.owners:
            return 404, {
                "error_code": "SCHEMA_DOES_NOT_EXIST",
                "message": f"Schema '{schema.name}' does not exist.",
            }
        catalog, _, name = schema.name.partition(".")
        info = SchemaInfo(name=name, catalog_name=catalog, full_name=schema.name, owner=model.owners[schema])
        return 200, info.as_dict()
    # GET /api/2.1/unity-catalog/effective-permissions/{securable_type}/{full_name}: what
    # `PrivilegeModel.has` grants (ownership, inheritance, metastore admins), per principal.
    securable = Securable(found["type"].upper(), found["full"])
    principals = {p for node in securable.chain() for p in model.grants.get(node, {})}
    principals |= set(model.metastore_admins) | {o for s, o in model.owners.items() if s == securable}
    wanted = query.get("principal")
    assignments = []
    for principal in sorted(p for p in principals if wanted is None or p == wanted):
        held = [
            EffectivePrivilege(privilege=Privilege(p))
            for p in _PRIVILEGES
            if model.has(principal, normalise(p), securable)
        ]
        if held:
            assignments.append(EffectivePrivilegeAssignment(principal=principal, privileges=held))
    return 200, EffectivePermissionsList(privilege_assignments=assignments).as_dict()


class EmulatorServer(FakeServer):
    """The fake API with job runs, statements and CLI commands served by an `Emulator`."""

    def __init__(self, emulator: Emulator) -> None:
        super().__init__(emulator.fake)
        base = self.httpd.RequestHandlerClass
        handler = type("EmulatorHandler", (_EmulatorHandler, cast(type, base)), {"emulator": emulator})
        self.httpd.RequestHandlerClass = handler
        self.emulator = emulator

    def __enter__(self) -> EmulatorServer:
        super().__enter__()
        self.emulator.host = self.url
        return self


class _EmulatorHandler:
    emulator: Emulator

    def _answer(self, ws: FakeWorkspace, method: str, path: str, query: dict[str, Any], body: dict[str, Any]):
        emulator = self.emulator
        bearer = str(self.headers.get("Authorization") or "").removeprefix("Bearer ")  # type: ignore[attr-defined]
        authorised = bearer in emulator.tokens
        caller = emulator.tokens.get(bearer, emulator.user)
        if authorised and method == "POST" and path == "/api/2.2/jobs/run-now":
            job_id = int(body.get("job_id", 0))
            if job_id not in emulator.jobs:
                return (
                    400,
                    {"error_code": "INVALID_PARAMETER_VALUE", "message": f"Job {job_id} does not exist."},
                    {},
                )
            ws.lock.release()  # the run's thread publishes into the fake under this lock
            try:
                run_id = emulator.run_now(job_id, body.get("job_parameters"))
            finally:
                ws.lock.acquire()
            ws.requests.append(("RUN_NOW", str(run_id), body))
            return 200, RunNowResponse(run_id=run_id, number_in_job=run_id).as_dict(), {}
        if authorised and method == "GET" and path == "/api/2.2/jobs/runs/get":
            run_id = int(query.get("run_id", 0))
            if run_id in emulator.runs:
                return 200, emulator.run_json(run_id), {}
        if authorised and method == "POST" and path == "/api/2.0/sql/statements":
            users = emulator.warehouse_users
            if users is not None and caller not in users:
                return (*warehouse_denied(caller, str(body.get("warehouse_id"))), {})
            refused = statement_refusal(emulator.privileges, caller, str(body.get("statement", "")))
            if refused is not None:
                return 200, refused, {}
            emulator.privileges.apply_sql(str(body.get("statement", "")), caller)
        if authorised and method == "GET":
            answer = _unity_catalog(emulator, path, query)
            if answer is not None:
                return (*answer, {})
        if authorised and method == "POST" and path == "/emulator/cli":
            from tests.support.emulator.fake_cli import handle

            ws.lock.release()  # deploys build and resolve for a while; runs may publish meanwhile
            try:
                code, out, err = handle(emulator, list(body["args"]), Path(body["cwd"]))
            finally:
                ws.lock.acquire()
            return 200, {"code": code, "stdout": out, "stderr": err}, {}
        status, payload, headers = super()._answer(ws, method, path, query, body)  # type: ignore[misc]
        found = re.match(r"^/api/2\.0/pipelines/([^/]+)$", path)
        if method == "GET" and found and status == 200 and found.group(1) in emulator.pipeline_names:
            name = emulator.pipeline_names[found.group(1)]
            payload["name"] = name
            payload.setdefault("spec", {})["name"] = name
        return status, payload, headers
