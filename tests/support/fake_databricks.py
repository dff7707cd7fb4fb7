"""A local fake of the Databricks REST endpoints the monitor and deploy commands use.

Served over real HTTP on 127.0.0.1 (ephemeral port) and driven by the real databricks-sdk.
Responses are built from the SDK's own dataclasses (`as_dict()`), errors use the platform's
codes and messages. Time on the fake advances by polls ("ticks", one per pipelines.get), so
tests never sleep.

What the fake holds, and how to feed it (tests script it; the workspace emulator feeds it
from real local pipeline runs):
- updates: `add_update(cause, states, errors, flows=..., update_id=...)` walks an update
  through its states, one per tick; `add_run(chain)` adds a job run whose pipeline task
  caused the chain (JOB_TASK, then RETRY_ON_FAILURE updates); `queued_runs` are chains that
  `run-now` and `start_update` use next.
- the event log: every started update logs documented events (tests/support/fake_pipeline.py:
  create_update, update_progress per state, ERROR events from `errors`, flow_progress with
  metrics and data_quality from `flows`, or from the defaults `output_rows` / `expectations`
  for a COMPLETED update without flows); `log_event(row)` appends any row in the documented
  shape (tests/support/fake_event_log.py `event_row`). The REST events API and the published
  event-log table serve the same rows.
- the warehouse's timing and result size: `sql.runtime_s`, `sql.seconds_per_poll`,
  `sql.rows_per_chunk` (tests/support/fake_statements.py).
- tables: `add_table(name, rows, columns)` (rows are dicts; columns map name -> SQL type,
  inferred from the rows when omitted); `deny_table(name, error_text)` makes reads fail.
- SQL: statements are parsed, bound and executed for real over those tables and the event
  log (tests/support/warehouse_sql.py; engine `sql_engine`, the Python executor by default,
  Spark in the spark tier); `statement_errors` (regex over SQL, error text) inject failures.
- identity and Unity Catalog (the deploy's preflight): `current_user` (and `current_groups`)
  answer SCIM Me; `catalog_owners` and `schema_owners` are the catalogs and schemas that exist,
  with their owners; `grants[(KIND, full_name)][principal]` the privileges granted there
  (`grant(...)`), served as effective permissions (inherited from the catalog included);
  `warehouse_users` who may use the warehouse (None: everyone; others get 403 PERMISSION_DENIED).
  By default the deployer may create and use the pipeline's schema.
"""

from __future__ import annotations

import contextlib
import itertools
import json
import re
import socket
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from databricks.sdk.clock import Clock
from databricks.sdk.service.catalog import (
    CatalogInfo,
    EffectivePermissionsList,
    EffectivePrivilege,
    EffectivePrivilegeAssignment,
    Privilege,
    SchemaInfo,
    SecurableType,
    TableInfo,
    TableType,
)
from databricks.sdk.service.iam import ComplexValue, User
from databricks.sdk.service.jobs import Run, RunNowResponse
from databricks.sdk.service.pipelines import (
    EventLogSpec,
    GetPipelineResponse,
    ListPipelineEventsResponse,
    ListUpdatesResponse,
    PipelineSpec,
    PipelineState,
    StartUpdateResponse,
    UpdateInfo,
    UpdateInfoCause,
    UpdateInfoState,
    UpdateStateInfo,
    UpdateStateInfoState,
)
from sqlglot import exp

from tests.support import warehouse_python
from tests.support.fake_event_log import EVENT_LOG_COLUMNS, event_filter, to_pipeline_event
from tests.support.fake_pipeline import TERMINAL, Error, FakeUpdate, Flow, Where, default_flows, update_events
from tests.support.fake_statements import StatementService
from tests.support.warehouse_python import Result
from tests.support.warehouse_sql import NO_OP, Analyzed, SqlFailure, TableKey, analyze, bind, parse

TOKEN = "plain-fake-credential"
"""Not shaped like any token on purpose: redaction must know it because it is configured."""
DEPLOYER = "data.engineer@example.com"  # SCIM Me's userName by default
CATALOG_OWNER = "catalog.owner@example.com"
__all__ = ["TOKEN", "Error", "FakeServer", "FakeUpdate", "FakeWorkspace", "FastClock", "Fault", "Flow"]
Engine = Callable[[Analyzed, dict[TableKey, list[dict[str, Any]]], dict[TableKey, dict[str, str]]], Result]


class FastClock(Clock):
    """Virtual time: sleeping advances it instantly."""

    def __init__(self) -> None:
        self.now = time.time()
        self.slept: list[float] = []

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


@dataclass
class FakeTable:
    """A table of the pipeline's schema: declared columns, rows, and the error a read gets."""

    columns: dict[str, str]
    rows: list[dict[str, Any]] = field(default_factory=list)
    read_error: str | None = None


@dataclass
class Fault:
    """An answer in place of the route's: an API error by default; or `body` sent as is (with
    `content_type`: HTML from a proxy, malformed JSON, a JSON body of the wrong shape); or no
    answer at all: `hang` holds the request until the server stops (or `hang_s` passes) and then
    closes the connection, `reset` closes it at once with a TCP reset."""

    status: int
    error_code: str
    message: str
    retry_after: int | None = None
    body: str | None = None
    content_type: str = "application/json"
    hang: bool = False
    hang_s: float = 600.0
    reset: bool = False


def _sql_type(values: list[Any]) -> str:
    sample = next((v for v in values if v is not None), None)
    if isinstance(sample, bool):
        return "BOOLEAN"
    if isinstance(sample, int):
        return "BIGINT"
    if isinstance(sample, float):
        return "DOUBLE"
    if isinstance(sample, Decimal):
        return "DECIMAL(38,2)"
    if isinstance(sample, datetime):
        return "TIMESTAMP"
    return "STRING"


class FakeWorkspace:
    """The state behind the fake: one pipeline, its updates, tables, warehouse and job runs."""

    def __init__(
        self, catalog: str = "main", schema: str = "retail", pipeline_name: str = "retail_pipeline"
    ) -> None:
        # Further tokens the fake accepts (the emulator's per-identity tokens; TOKEN is the caller's).
        self.identity_tokens: set[str] = set()
        self.pipeline_id = "0f2b6a2e-1c9d-4c52-9a0e-5c1d7f3e9a01"
        self.catalog, self.schema, self.pipeline_name = catalog, schema, pipeline_name
        self.publish_event_log = True
        self.event_log_name: str | None = None  # the pipeline's event_log.name; <pipeline_name>_event_log
        self.tick = 0
        self.base_ms = int(time.time() * 1000) - 3_600_000
        self.updates: list[FakeUpdate] = []
        self.runs: dict[int, int] = {}  # job run id -> start_time ms
        self.queued_runs: list[list[tuple[str, list[str], list[Error]]]] = []
        self.tables: dict[str, FakeTable] = {}
        self.output_rows: dict[str, int] = {}  # default rows per dataset of a COMPLETED update
        self.expectations: list[tuple[str, str, int, int]] = []  # default (dataset, rule, passed, failed)
        self.logged_events: list[dict[str, Any]] = []
        self.statement_errors: list[tuple[str, str]] = []  # (regex over SQL, error text)
        self.faults: list[tuple[str, re.Pattern[str], Fault]] = []
        self.lasting_faults: list[tuple[str, re.Pattern[str], Fault]] = []  # fail(..., forever=True)
        self.released = threading.Event()  # set when the server stops: hanging requests end
        self.requests: list[tuple[str, str, dict[str, Any]]] = []
        self.statements: list[tuple[str, dict[str, str]]] = []
        self.events_page_size = 25
        self.sql_engine: Engine = warehouse_python.run
        self.sql = StatementService(self.answer_sql)
        self._ids = itertools.count(1)
        self._event_pages: dict[str, tuple[list[Any], int]] = {}
        self.current_user = DEPLOYER
        self.current_groups: list[str] = []
        self.catalog_owners: dict[str, str] = {catalog: CATALOG_OWNER}
        self.schema_owners: dict[str, str] = {f"{catalog}.{schema}": DEPLOYER}
        self.grants: dict[tuple[str, str], dict[str, set[str]]] = {}
        self.grant("CATALOG", catalog, DEPLOYER, "USE_CATALOG", "CREATE_SCHEMA")
        self.warehouse_users: set[str] | None = None
        self.effective_page_size = 50
        self.lock = threading.Lock()

    # -- scripting and feeding ----------------------------------------------------------------

    def add_run(self, chain: list[tuple[str, list[str], list[Error]]], start_tick: int | None = None) -> int:
        """A job run whose pipeline task caused `chain` (JOB_TASK then RETRY_ON_FAILURE updates)."""
        tick = self.tick if start_tick is None else start_tick
        run_id = 900 + next(self._ids)
        self.runs[run_id] = self.ms(tick) - 500
        for cause, states, errors in chain:
            update = self.add_update(cause, states, errors, tick)
            tick = update.end_tick() + 1
        return run_id

    def add_update(
        self,
        cause: str,
        states: list[str],
        errors: list[Error] | None = None,
        start_tick: int | None = None,
        flows: list[Flow] | None = None,
        update_id: str | None = None,
    ) -> FakeUpdate:
        """An update created at `start_tick` (now by default); `flows` replace the default figures."""
        tick = self.tick if start_tick is None else start_tick
        update_id = update_id or f"{next(self._ids):08x}-5d1e-4f7a-9c3b-{tick:012d}"
        update = FakeUpdate(update_id, cause, states, errors or [], tick, self.ms(tick), flows)
        self.updates.append(update)
        return update

    def add_table(
        self, name: str, rows: list[dict[str, Any]], columns: dict[str, str] | None = None
    ) -> FakeTable:
        """A readable table in the pipeline's catalog and schema."""
        names = list(columns or {}) or list(dict.fromkeys(k for row in rows for k in row)) or ["id"]
        declared = columns or {n: _sql_type([row.get(n) for row in rows]) for n in names}
        table = FakeTable(declared, [{n: row.get(n) for n in declared} for row in rows])
        self.tables[name] = table
        return table

    def deny_table(self, name: str, error_text: str) -> None:
        """The table exists (Unity Catalog lists it) but every read fails with `error_text`."""
        self.tables.setdefault(name, FakeTable({"id": "STRING"})).read_error = error_text

    def log_event(self, row: dict[str, Any]) -> None:
        """Append an event-log row in the documented shape (fake_event_log.event_row)."""
        self.logged_events.append(row)

    def fail(self, method: str, path: str, fault: Fault, times: int = 1, forever: bool = False) -> None:
        """Answer the next `times` requests matching method and path regex with `fault`
        (every matching request with `forever`, after any one-off faults)."""
        if forever:
            self.lasting_faults.append((method, re.compile(path), fault))
            return
        self.faults += [(method, re.compile(path), fault)] * times

    def grant(self, kind: str, full_name: str, principal: str, *privileges: str) -> None:
        """GRANT `privileges` (API spelling: USE_CATALOG) ON `kind` `full_name` TO `principal`."""
        self.grants.setdefault((kind.upper(), full_name), {}).setdefault(principal, set()).update(privileges)

    def effective(self, kind: str, full_name: str) -> dict[str, list[EffectivePrivilege]]:
        """Per principal, the privileges granted on the securable or on its catalog (inherited)."""
        chain = [(kind.upper(), full_name)]
        if kind.upper() != "CATALOG":
            chain.append(("CATALOG", full_name.split(".")[0]))
        found: dict[str, list[EffectivePrivilege]] = {}
        for node in chain:
            inherited = node != chain[0]
            for principal, privileges in self.grants.get(node, {}).items():
                found.setdefault(principal, []).extend(
                    EffectivePrivilege(
                        privilege=Privilege(p),
                        inherited_from_type=SecurableType(node[0]) if inherited else None,
                        inherited_from_name=node[1] if inherited else None,
                    )
                    for p in sorted(privileges)
                )
        return found

    def ms(self, tick: int) -> int:
        return self.base_ms + tick * 10_000

    # -- derived state -----------------------------------------------------------------------

    def visible(self) -> list[FakeUpdate]:
        """Updates that exist now, newest first."""
        return sorted((u for u in self.updates if u.start_tick <= self.tick), key=lambda u: -u.creation_time)

    def pipeline_state(self) -> str:
        """RUNNING while an update runs; RECOVERING between a failed update and its scheduled
        RETRY_ON_FAILURE update (PipelineState.RECOVERING: "Pipeline has run into an error, but
        the daemon is attempting to fix it", Databricks SDK for JavaScript, pipelines v2); IDLE."""
        visible = self.visible()
        if any(u.state_at(self.tick) not in TERMINAL for u in visible):
            return "RUNNING"
        pending = sorted((u for u in self.updates if u.start_tick > self.tick), key=lambda u: u.start_tick)
        failed = bool(visible) and visible[0].state_at(self.tick) == "FAILED"
        if failed and pending and pending[0].cause == "RETRY_ON_FAILURE":
            return "RECOVERING"
        return "IDLE"

    def update_info(self, update: FakeUpdate) -> UpdateInfo:
        return UpdateInfo(
            pipeline_id=self.pipeline_id,
            update_id=update.update_id,
            cause=UpdateInfoCause(update.cause),
            state=UpdateInfoState(update.state_at(self.tick)),
            creation_time=update.creation_time,
            full_refresh=False,
        )

    def event_log_rows(self) -> list[dict[str, Any]]:
        """Every event logged so far in the documented shape, oldest first."""
        where = Where(self.pipeline_id, self.pipeline_name, self.catalog, self.schema)
        defaults = default_flows(self.output_rows, self.expectations)
        rows = [row for update in self.visible() for row in update_events(update, self.tick, where, defaults)]
        rows += self.logged_events
        return sorted(rows, key=lambda r: (r["timestamp"], r["id"]))

    def events(self) -> list[Any]:
        """The REST face of the event log, newest first (the API's default order)."""
        return [to_pipeline_event(row) for row in reversed(self.event_log_rows())]

    # -- the warehouse -------------------------------------------------------------------------

    def event_log_key(self) -> TableKey:
        """Where the pipeline publishes its event log (settings `event_log: {catalog, schema, name}`)."""
        return (self.catalog, self.schema, self.event_log_name or f"{self.pipeline_name}_event_log")

    def answer_sql(self, sql: str, parameters: list[dict[str, Any]]) -> Result:
        """Parse, bind, resolve and execute one statement over the tables and the event log."""
        for pattern, text in self.statement_errors:
            if re.search(pattern, sql):
                raise SqlFailure.from_text(text)
        tree = parse(sql)
        if isinstance(tree, NO_OP):
            return Result([], [])
        if not isinstance(tree, exp.Query):
            raise SqlFailure("UNSUPPORTED_FEATURE", f"the fake runs queries only, not {type(tree).__name__}")
        schemas = self.warehouse_schemas()
        analyzed = analyze(bind(tree, parameters), schemas)
        for key in analyzed.tables:
            table = self.tables.get(key[2]) if key[:2] == (self.catalog, self.schema) else None
            if table is not None and table.read_error:
                raise SqlFailure.from_text(table.read_error)
        return self.sql_engine(analyzed, self.warehouse_rows(set(analyzed.tables)), schemas)

    def warehouse_schemas(self) -> dict[TableKey, dict[str, str]]:
        """Declared columns of every table the warehouse can see."""
        schemas = {(self.catalog, self.schema, n): t.columns for n, t in self.tables.items()}
        if self.publish_event_log:
            schemas[self.event_log_key()] = EVENT_LOG_COLUMNS
        return schemas

    def warehouse_rows(self, keys: set[TableKey] | None = None) -> dict[TableKey, list[dict[str, Any]]]:
        """Rows of the tables named by `keys` (all by default); the event log as of now."""
        rows = {(self.catalog, self.schema, n): t.rows for n, t in self.tables.items()}
        if self.publish_event_log and (keys is None or self.event_log_key() in keys):
            rows[self.event_log_key()] = self.event_log_rows()
        return {k: v for k, v in rows.items() if keys is None or k in keys}

    def warehouse_tables(self) -> tuple[dict[TableKey, dict[str, str]], dict[TableKey, list[dict[str, Any]]]]:
        """Declared columns and rows of every table the warehouse can see."""
        return self.warehouse_schemas(), self.warehouse_rows()


# -- HTTP -----------------------------------------------------------------------------------

Route = Callable[["FakeWorkspace", re.Match[str], dict[str, Any], dict[str, Any]], tuple[int, dict[str, Any]]]


def _error(status: int, code: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"error_code": code, "message": message}


def _get_pipeline(ws: FakeWorkspace, match: re.Match[str], query: dict[str, Any], body: dict[str, Any]):
    if match["id"] != ws.pipeline_id:
        return _error(404, "RESOURCE_DOES_NOT_EXIST", f"The specified pipeline {match['id']} was not found.")
    ws.tick += 1
    catalog, schema, name = ws.event_log_key()
    event_log = EventLogSpec(catalog=catalog, schema=schema, name=name)
    settings = PipelineSpec(
        id=ws.pipeline_id,
        name=ws.pipeline_name,
        catalog=ws.catalog,
        schema=ws.schema,
        serverless=True,
        event_log=event_log if ws.publish_event_log else None,
    )
    # latest_updates: "Status of the latest updates for the pipeline. Ordered with the newest
    # update first." (databricks-sdk-py, pipelines.GetPipelineResponse.latest_updates)
    latest = [
        UpdateStateInfo(
            update_id=u.update_id,
            state=UpdateStateInfoState(u.state_at(ws.tick)),
            creation_time=str(u.creation_time),
        )
        for u in ws.visible()[:5]
    ]
    response = GetPipelineResponse(
        pipeline_id=ws.pipeline_id,
        name=ws.pipeline_name,
        spec=settings,
        state=PipelineState(ws.pipeline_state()),
        latest_updates=latest,
        run_as_user_name="etl@example.com",
        creator_user_name="etl@example.com",
    )
    return 200, response.as_dict()


def _list_updates(ws: FakeWorkspace, match: re.Match[str], query: dict[str, Any], body: dict[str, Any]):
    # "The default behavior is to return the 25 most recent updates in timestamp descending
    # order for the given pipeline. No custom sorting or filtering is supported." (Databricks
    # SDK for JavaScript, pipelines v2 ListUpdatesRequest); until_update_id: "returns updates
    # until and including this update_id" (databricks-sdk-py, PipelinesAPI.list_updates).
    size = int(query.get("max_results", 25))
    offset = int(query.get("page_token", 0))
    visible = ws.visible()
    until = query.get("until_update_id")
    if until:
        ids = [u.update_id for u in visible]
        visible = visible[: ids.index(until) + 1] if until in ids else visible
    page = visible[offset : offset + size]
    token = str(offset + size) if offset + size < len(visible) else None
    return 200, ListUpdatesResponse(
        updates=[ws.update_info(u) for u in page], next_page_token=token
    ).as_dict()


def _get_update(ws: FakeWorkspace, match: re.Match[str], query: dict[str, Any], body: dict[str, Any]):
    update = next((u for u in ws.visible() if u.update_id == match["update"]), None)
    if update is None:
        return _error(404, "RESOURCE_DOES_NOT_EXIST", f"Update {match['update']} does not exist.")
    return 200, {"update": ws.update_info(update).as_dict()}


def _start_update(ws: FakeWorkspace, match: re.Match[str], query: dict[str, Any], body: dict[str, Any]):
    # "If there is already an active update for the pipeline, the request will fail and the
    # active update will remain running." (databricks-sdk-py, PipelinesAPI.start_update)
    if any(u.state_at(ws.tick) not in TERMINAL for u in ws.visible()):
        return _error(409, "RESOURCE_CONFLICT", "An active update already exists for this pipeline.")
    chain = ws.queued_runs.pop(0) if ws.queued_runs else [("API_CALL", ["RUNNING", "COMPLETED"], [])]
    first = ws.add_update(chain[0][0] if chain[0][0] != "JOB_TASK" else "API_CALL", chain[0][1], chain[0][2])
    ws.requests.append(("START", first.update_id, body))
    return 200, StartUpdateResponse(update_id=first.update_id).as_dict()


def _list_events(ws: FakeWorkspace, match: re.Match[str], query: dict[str, Any], body: dict[str, Any]):
    # page_token: "This field is mutually exclusive with all fields in this request except
    # max_results. An error is returned if any fields other than max_results are set when this
    # field is set." (databricks-sdk-py, PipelinesAPI.list_pipeline_events). The SDK's own
    # iterator re-sends filter and order_by with the token, so it fails here past one page.
    size = min(int(query.get("max_results", 25)), ws.events_page_size)
    token = query.get("page_token")
    if token is not None:
        extra = sorted(k for k in query if k not in ("page_token", "max_results"))
        if extra:
            return _error(
                400,
                "INVALID_PARAMETER_VALUE",
                "page_token excludes every field but max_results; got " + ", ".join(extra),
            )
        if token not in ws._event_pages:
            return _error(400, "INVALID_PARAMETER_VALUE", f"Invalid page token {token!r}.")
        events, offset = ws._event_pages.pop(token)
    else:
        keep = event_filter(str(query.get("filter", "")))
        if keep is None:
            return _error(400, "INVALID_PARAMETER_VALUE", f"Unsupported filter: {query.get('filter')!r}.")
        events = [e for e in ws.events() if keep(e)]
        order = query.get("order_by", [])
        order = [order] if isinstance(order, str) else order
        if order and order != ["timestamp desc"]:
            if order != ["timestamp asc"]:
                return _error(400, "INVALID_PARAMETER_VALUE", f"Unsupported order_by: {order!r}.")
            events.reverse()  # "By default, events are returned in descending order by timestamp."
        offset = 0
    page = events[offset : offset + size]
    next_token = None
    if offset + size < len(events):
        next_token = f"evt-page-{next(ws._ids)}"
        ws._event_pages[next_token] = (events, offset + size)
    return 200, ListPipelineEventsResponse(events=page, next_page_token=next_token).as_dict()


def _get_table(ws: FakeWorkspace, match: re.Match[str], query: dict[str, Any], body: dict[str, Any]):
    catalog, schema, name = match["name"].split(".")
    if (catalog, schema) != (ws.catalog, ws.schema) or name not in ws.tables:
        return _error(404, "TABLE_DOES_NOT_EXIST", f"Table '{match['name']}' does not exist.")
    table = TableInfo(
        name=name,
        catalog_name=catalog,
        schema_name=schema,
        full_name=match["name"],
        table_type=TableType.MANAGED,
        owner="etl@example.com",
    )
    return 200, table.as_dict()


def _me(ws: FakeWorkspace, match: re.Match[str], query: dict[str, Any], body: dict[str, Any]):
    # GET /api/2.0/preview/scim/v2/Me (CurrentUserAPI.me): the caller as a SCIM User.
    groups = [ComplexValue(display=g, value=f"g-{i}") for i, g in enumerate(ws.current_groups)]
    user = User(id="4711", user_name=ws.current_user, display_name=ws.current_user, groups=groups or None)
    return 200, user.as_dict()


def _get_catalog(ws: FakeWorkspace, match: re.Match[str], query: dict[str, Any], body: dict[str, Any]):
    # GET /api/2.1/unity-catalog/catalogs/{name} (CatalogsAPI.get): CatalogInfo.
    name = match["name"]
    if name not in ws.catalog_owners:
        return _error(404, "CATALOG_DOES_NOT_EXIST", f"Catalog '{name}' does not exist.")
    return 200, CatalogInfo(name=name, full_name=name, owner=ws.catalog_owners[name]).as_dict()


def _get_schema(ws: FakeWorkspace, match: re.Match[str], query: dict[str, Any], body: dict[str, Any]):
    # GET /api/2.1/unity-catalog/schemas/{full_name} (SchemasAPI.get): SchemaInfo.
    full_name = match["name"]
    catalog, _, schema = full_name.partition(".")
    if catalog not in ws.catalog_owners:
        return _error(404, "CATALOG_DOES_NOT_EXIST", f"Catalog '{catalog}' does not exist.")
    if full_name not in ws.schema_owners:
        return _error(404, "SCHEMA_DOES_NOT_EXIST", f"Schema '{full_name}' does not exist.")
    info = SchemaInfo(
        name=schema, catalog_name=catalog, full_name=full_name, owner=ws.schema_owners[full_name]
    )
    return 200, info.as_dict()


def _exists(ws: FakeWorkspace, kind: str, full_name: str) -> bool:
    if kind == "CATALOG":
        return full_name in ws.catalog_owners
    return kind == "SCHEMA" and full_name in ws.schema_owners


def _effective_permissions(
    ws: FakeWorkspace, match: re.Match[str], query: dict[str, Any], body: dict[str, Any]
):
    # GET /api/2.1/unity-catalog/effective-permissions/{securable_type}/{full_name}
    # (GrantsAPI.get_effective): "Includes inherited permissions from any parent securables";
    # `principal` keeps one principal's; max_results=0 pages at a server-configured length.
    kind, full_name = match["type"].upper(), match["name"]
    if not _exists(ws, kind, full_name):
        return _error(404, f"{kind}_DOES_NOT_EXIST", f"{kind.title()} '{full_name}' does not exist.")
    principal = query.get("principal")
    found = ws.effective(kind, full_name)
    assignments = [
        EffectivePrivilegeAssignment(principal=name, privileges=privileges)
        for name, privileges in sorted(found.items())
        if principal is None or name == principal
    ]
    if "max_results" not in query:
        return 200, EffectivePermissionsList(privilege_assignments=assignments).as_dict()
    offset = int(query.get("page_token") or 0)
    size = int(query["max_results"]) or ws.effective_page_size
    page = assignments[offset : offset + size]
    token = str(offset + size) if offset + size < len(assignments) else None
    return 200, EffectivePermissionsList(privilege_assignments=page, next_page_token=token).as_dict()


def _run_now(ws: FakeWorkspace, match: re.Match[str], query: dict[str, Any], body: dict[str, Any]):
    chain = ws.queued_runs.pop(0) if ws.queued_runs else [("JOB_TASK", ["RUNNING", "COMPLETED"], [])]
    run_id = ws.add_run(chain, ws.tick + 1)
    ws.requests.append(("RUN_NOW", str(run_id), body))
    return 200, RunNowResponse(run_id=run_id, number_in_job=run_id).as_dict()


def _get_run(ws: FakeWorkspace, match: re.Match[str], query: dict[str, Any], body: dict[str, Any]):
    run_id = int(query.get("run_id", 0))
    if run_id not in ws.runs:
        return _error(400, "INVALID_PARAMETER_VALUE", f"Run {run_id} does not exist.")
    return 200, Run(run_id=run_id, job_id=77, start_time=ws.runs[run_id], run_name="retail_job").as_dict()


def _execute(ws: FakeWorkspace, match: re.Match[str], query: dict[str, Any], body: dict[str, Any]):
    # POST /api/2.0/sql/statements: an identity without CAN USE on the warehouse is refused.
    if ws.warehouse_users is not None and ws.current_user not in ws.warehouse_users:
        return warehouse_denied(ws.current_user, str(body.get("warehouse_id")))
    params = {p["name"]: p.get("value") for p in body.get("parameters") or []}
    ws.statements.append((body.get("statement", ""), params))
    return ws.sql.execute(body)


def warehouse_denied(user: str, warehouse_id: str) -> tuple[int, dict[str, Any]]:
    """403 PERMISSION_DENIED for a statement on a warehouse `user` may not use."""
    return _error(
        403, "PERMISSION_DENIED", f"User {user} does not have CAN USE permission on warehouse {warehouse_id}."
    )


def _get_statement(ws: FakeWorkspace, match: re.Match[str], query: dict[str, Any], body: dict[str, Any]):
    return ws.sql.get(match["id"])


def _cancel_statement(ws: FakeWorkspace, match: re.Match[str], query: dict[str, Any], body: dict[str, Any]):
    return ws.sql.cancel(match["id"])


def _statement_chunk(ws: FakeWorkspace, match: re.Match[str], query: dict[str, Any], body: dict[str, Any]):
    return ws.sql.chunk(match["id"], int(match["index"]))


def _well_known(ws: FakeWorkspace, match: re.Match[str], query: dict[str, Any], body: dict[str, Any]):
    return _error(404, "NOT_FOUND", "Not Found")


ROUTES: list[tuple[str, re.Pattern[str], Route]] = [
    ("GET", re.compile(r"^/\.well-known/databricks-config$"), _well_known),
    ("GET", re.compile(r"^/api/2\.0/pipelines/(?P<id>[^/]+)$"), _get_pipeline),
    ("GET", re.compile(r"^/api/2\.0/pipelines/(?P<id>[^/]+)/updates$"), _list_updates),
    ("GET", re.compile(r"^/api/2\.0/pipelines/(?P<id>[^/]+)/updates/(?P<update>[^/]+)$"), _get_update),
    ("POST", re.compile(r"^/api/2\.0/pipelines/(?P<id>[^/]+)/updates$"), _start_update),
    ("GET", re.compile(r"^/api/2\.0/pipelines/(?P<id>[^/]+)/events$"), _list_events),
    ("GET", re.compile(r"^/api/2\.1/unity-catalog/tables/(?P<name>[^/]+)$"), _get_table),
    ("GET", re.compile(r"^/api/2\.0/preview/scim/v2/Me$"), _me),
    ("GET", re.compile(r"^/api/2\.1/unity-catalog/catalogs/(?P<name>[^/]+)$"), _get_catalog),
    ("GET", re.compile(r"^/api/2\.1/unity-catalog/schemas/(?P<name>[^/]+)$"), _get_schema),
    (
        "GET",
        re.compile(r"^/api/2\.1/unity-catalog/effective-permissions/(?P<type>[^/]+)/(?P<name>[^/]+)$"),
        _effective_permissions,
    ),
    ("POST", re.compile(r"^/api/2\.2/jobs/run-now$"), _run_now),
    ("GET", re.compile(r"^/api/2\.2/jobs/runs/get$"), _get_run),
    ("POST", re.compile(r"^/api/2\.0/sql/statements/?$"), _execute),
    ("GET", re.compile(r"^/api/2\.0/sql/statements/(?P<id>[^/]+)$"), _get_statement),
    ("POST", re.compile(r"^/api/2\.0/sql/statements/(?P<id>[^/]+)/cancel$"), _cancel_statement),
    (
        "GET",
        re.compile(r"^/api/2\.0/sql/statements/(?P<id>[^/]+)/result/chunks/(?P<index>\d+)$"),
        _statement_chunk,
    ),
]


class _Handler(BaseHTTPRequestHandler):
    workspace: FakeWorkspace

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read `workspace.requests` instead."""

    def do_GET(self) -> None:
        self._dispatch("GET")

    def do_POST(self) -> None:
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        url = urlparse(self.path)
        query = {k: v if len(v) > 1 else v[0] for k, v in parse_qs(url.query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        body = json.loads(self.rfile.read(length) or b"{}") if length else {}
        ws = self.workspace
        with ws.lock:
            ws.requests.append((method, url.path, query))
            status, payload, headers = self._answer(ws, method, url.path, query, body)
        fault = payload if isinstance(payload, Fault) else None
        if fault is not None and (fault.hang or fault.reset):
            self._no_answer(fault)
            return
        raw = fault.body if fault is not None else None
        data = raw.encode() if raw is not None else json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", fault.content_type if fault is not None else "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _no_answer(self, fault: Fault) -> None:
        """Hang (until the server stops or `hang_s`), then close; or reset the connection now."""
        if fault.hang:
            self.workspace.released.wait(fault.hang_s)
        else:
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.close()

    def _answer(
        self, ws: FakeWorkspace, method: str, path: str, query: dict[str, Any], body: dict[str, Any]
    ) -> tuple[int, Any, dict[str, str]]:
        tokens = {TOKEN, *ws.identity_tokens}
        if not path.startswith("/.well-known") and self.headers.get("Authorization") not in {
            f"Bearer {t}" for t in tokens
        }:
            return (
                401,
                {"error_code": "UNAUTHENTICATED", "message": "Invalid access token. [ReqId: 5f1c]"},
                {},
            )
        for index, (fault_method, pattern, fault) in enumerate([*ws.faults, *ws.lasting_faults]):
            if fault_method == method and pattern.search(path):
                if index < len(ws.faults):
                    del ws.faults[index]
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
                if fault.body is not None or fault.hang or fault.reset:
                    return fault.status, fault, headers
                return fault.status, {"error_code": fault.error_code, "message": fault.message}, headers
        for route_method, pattern, route in ROUTES:
            match = pattern.match(path)
            if route_method == method and match:
                status, payload = route(ws, match, query, body)
                return status, payload, {}
        return 404, {"error_code": "ENDPOINT_NOT_FOUND", "message": f"No API found for '{method} {path}'"}, {}


class FakeServer:
    """The fake on an ephemeral port; use as a context manager."""

    def __init__(self, workspace: FakeWorkspace) -> None:
        handler = type("Handler", (_Handler,), {"workspace": workspace})
        self.workspace = workspace
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, args=(0.02,), daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}"

    def __enter__(self) -> FakeServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.workspace.released.set()
        self.httpd.shutdown()
        self.httpd.server_close()
