"""A local fake of the Databricks REST endpoints the monitor and deploy commands use.

Served over real HTTP on 127.0.0.1 (ephemeral port) and driven by the real databricks-sdk.
Responses are built from the SDK's own dataclasses (`as_dict()`), errors use the platform's
codes and messages. Time on the fake advances by polls ("ticks", one per pipelines.get), so
tests never sleep.
"""

from __future__ import annotations

import itertools
import json
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

from databricks.sdk.clock import Clock
from databricks.sdk.service.catalog import TableInfo, TableType
from databricks.sdk.service.iam import User
from databricks.sdk.service.jobs import Run, RunNowResponse
from databricks.sdk.service.pipelines import (
    ErrorDetail,
    EventLevel,
    EventLogSpec,
    GetPipelineResponse,
    ListPipelineEventsResponse,
    ListUpdatesResponse,
    Origin,
    PipelineEvent,
    PipelineSpec,
    PipelineState,
    SerializedException,
    StackFrame,
    StartUpdateResponse,
    UpdateInfo,
    UpdateInfoCause,
    UpdateInfoState,
    UpdateStateInfo,
    UpdateStateInfoState,
)
from databricks.sdk.service.sql import (
    BaseChunkInfo,
    ColumnInfo,
    ColumnInfoTypeName,
    Format,
    ResultData,
    ResultManifest,
    ResultSchema,
    ServiceError,
    ServiceErrorCode,
    StatementResponse,
    StatementState,
    StatementStatus,
)

TOKEN = "dapi-fake"
TERMINAL = {"COMPLETED", "FAILED", "CANCELED"}
STACK = [
    StackFrame(
        declaring_class="org.apache.spark.sql.execution.QueryExecution",
        method_name="assertAnalyzed",
        file_name="QueryExecution.scala",
        line_number=94,
    )
] * 3


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
class Error:
    """An ERROR event an update logs: message, exception class and the dataset it concerns."""

    message: str
    class_name: str = "org.apache.spark.sql.AnalysisException"
    exception_message: str | None = None
    dataset: str | None = None
    event_type: str = "flow_progress"


@dataclass
class FakeUpdate:
    """An update walking through `states`, one per tick from `start_tick`; the last state sticks."""

    update_id: str
    cause: str
    states: list[str]
    errors: list[Error] = field(default_factory=list)
    start_tick: int = 0
    creation_time: int = 0

    def state_at(self, tick: int) -> str | None:
        if tick < self.start_tick:
            return None
        return self.states[min(tick - self.start_tick, len(self.states) - 1)]

    def end_tick(self) -> int:
        return self.start_tick + len(self.states) - 1


@dataclass
class Fault:
    status: int
    error_code: str
    message: str
    retry_after: int | None = None


class FakeWorkspace:
    """The state behind the fake: one pipeline, its updates, tables, warehouse and job runs."""

    def __init__(
        self, catalog: str = "main", schema: str = "retail", pipeline_name: str = "retail_pipeline"
    ) -> None:
        self.pipeline_id = "0f2b6a2e-1c9d-4c52-9a0e-5c1d7f3e9a01"
        self.catalog, self.schema, self.pipeline_name = catalog, schema, pipeline_name
        self.publish_event_log = True
        self.tick = 0
        self.base_ms = int(time.time() * 1000) - 3_600_000
        self.updates: list[FakeUpdate] = []
        self.runs: dict[int, int] = {}  # job run id -> start_time ms
        self.queued_runs: list[list[tuple[str, list[str], list[Error]]]] = []
        self.tables: dict[str, str] = {}  # name -> "ok" | read error message
        self.output_rows: dict[str, int] = {}
        self.expectations: list[tuple[str, str, int, int]] = []
        self.orphans: dict[str, tuple[int, int]] = {}
        self.statement_errors: list[tuple[str, str]] = []  # (regex over SQL, message)
        self.faults: list[tuple[str, re.Pattern[str], Fault]] = []
        self.requests: list[tuple[str, str, dict[str, Any]]] = []
        self.statements: list[tuple[str, dict[str, str]]] = []
        self.events_page_size = 2
        self._ids = itertools.count(1)
        self._statements: dict[str, StatementResponse] = {}
        self.lock = threading.Lock()

    # -- scripting ---------------------------------------------------------------------------

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
        self, cause: str, states: list[str], errors: list[Error] | None = None, start_tick: int | None = None
    ) -> FakeUpdate:
        tick = self.tick if start_tick is None else start_tick
        update_id = f"{next(self._ids):08x}-5d1e-4f7a-9c3b-{tick:012d}"
        update = FakeUpdate(update_id, cause, states, errors or [], tick, self.ms(tick))
        self.updates.append(update)
        return update

    def fail(self, method: str, path: str, fault: Fault, times: int = 1) -> None:
        """Answer the next `times` requests matching method and path regex with `fault`."""
        self.faults += [(method, re.compile(path), fault)] * times

    def ms(self, tick: int) -> int:
        return self.base_ms + tick * 10_000

    # -- derived state -----------------------------------------------------------------------

    def visible(self) -> list[FakeUpdate]:
        """Updates that exist now, newest first."""
        return sorted((u for u in self.updates if u.start_tick <= self.tick), key=lambda u: -u.creation_time)

    def pipeline_state(self) -> str:
        if any(u.state_at(self.tick) not in TERMINAL for u in self.visible()):
            return "RUNNING"
        if any(u.start_tick > self.tick for u in self.updates):
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

    def events(self) -> list[PipelineEvent]:
        """Every event so far, newest first: ERRORs of terminal updates plus INFO progress events."""
        events = []
        for update in self.visible():
            state = update.state_at(self.tick)
            events.append(
                self._event(
                    update, "INFO", f"Update {update.update_id[:6]} is {state}.", None, "update_progress", 5
                )
            )
            if state in TERMINAL:
                for number, error in enumerate(update.errors):
                    events.append(
                        self._event(update, "ERROR", error.message, error, error.event_type, 3 + number)
                    )
        return sorted(events, key=lambda e: e.timestamp or "", reverse=True)

    def _event(
        self,
        update: FakeUpdate,
        level: str,
        message: str,
        error: Error | None,
        event_type: str,
        offset_s: int,
    ) -> PipelineEvent:
        moment = datetime.fromtimestamp(update.creation_time / 1000 + offset_s, tz=timezone.utc)
        detail = None
        if error:
            exception = SerializedException(
                class_name=error.class_name, message=error.exception_message or error.message, stack=STACK
            )
            detail = ErrorDetail(exceptions=[exception], fatal=True)
        return PipelineEvent(
            id=f"evt-{update.update_id[:8]}-{offset_s}-{level}",
            event_type=event_type,
            level=EventLevel(level),
            message=message,
            timestamp=moment.strftime("%Y-%m-%dT%H:%M:%S.000Z"),
            origin=Origin(
                pipeline_id=self.pipeline_id,
                pipeline_name=self.pipeline_name,
                update_id=update.update_id,
                dataset_name=error.dataset if error else None,
                flow_name=error.dataset if error else None,
            ),
            error=detail,
        )


# -- HTTP -----------------------------------------------------------------------------------

Route = Callable[["FakeWorkspace", re.Match[str], dict[str, Any], dict[str, Any]], tuple[int, dict[str, Any]]]


def _error(status: int, code: str, message: str) -> tuple[int, dict[str, Any]]:
    return status, {"error_code": code, "message": message}


def _get_pipeline(ws: FakeWorkspace, match: re.Match[str], query: dict[str, Any], body: dict[str, Any]):
    if match["id"] != ws.pipeline_id:
        return _error(404, "RESOURCE_DOES_NOT_EXIST", f"The specified pipeline {match['id']} was not found.")
    ws.tick += 1
    event_log = EventLogSpec(catalog=ws.catalog, schema=ws.schema, name=f"{ws.pipeline_name}_event_log")
    settings = PipelineSpec(
        id=ws.pipeline_id,
        name=ws.pipeline_name,
        catalog=ws.catalog,
        schema=ws.schema,
        serverless=True,
        event_log=event_log if ws.publish_event_log else None,
    )
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
    size = int(query.get("max_results", 25))
    offset = int(query.get("page_token", 0))
    visible = ws.visible()
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
    if any(u.state_at(ws.tick) not in TERMINAL for u in ws.visible()):
        return _error(409, "RESOURCE_CONFLICT", "An active update already exists for this pipeline.")
    chain = ws.queued_runs.pop(0) if ws.queued_runs else [("API_CALL", ["RUNNING", "COMPLETED"], [])]
    first = ws.add_update(chain[0][0] if chain[0][0] != "JOB_TASK" else "API_CALL", chain[0][1], chain[0][2])
    ws.requests.append(("START", first.update_id, body))
    return 200, StartUpdateResponse(update_id=first.update_id).as_dict()


def _list_events(ws: FakeWorkspace, match: re.Match[str], query: dict[str, Any], body: dict[str, Any]):
    events = ws.events()
    filter_text = query.get("filter", "")
    level = re.search(r"level\s*=\s*'(\w+)'", filter_text)
    since = re.search(r"timestamp\s*>=\s*'([^']+)'", filter_text)
    if level:
        events = [e for e in events if e.level and e.level.value == level.group(1)]
    if since:
        events = [e for e in events if (e.timestamp or "") >= since.group(1)]
    if "timestamp asc" in str(query.get("order_by", "")):
        events.reverse()
    offset = int(query.get("page_token", 0))
    page = events[offset : offset + ws.events_page_size]
    more = offset + ws.events_page_size < len(events)
    return 200, ListPipelineEventsResponse(
        events=page, next_page_token=str(offset + ws.events_page_size) if more else None
    ).as_dict()


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
    return 200, User(id="4711", user_name="data.engineer@example.com", display_name="Data Engineer").as_dict()


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


def _statement_result(columns: list[tuple[str, ColumnInfoTypeName]], rows: list[list[Any]]) -> dict[str, Any]:
    data = [[None if v is None else str(v) for v in row] for row in rows]
    schema = ResultSchema(
        column_count=len(columns),
        columns=[
            ColumnInfo(name=n, position=i, type_name=t, type_text=t.value.lower())
            for i, (n, t) in enumerate(columns)
        ],
    )
    manifest = ResultManifest(
        format=Format.JSON_ARRAY,
        schema=schema,
        total_row_count=len(rows),
        total_chunk_count=1,
        chunks=[BaseChunkInfo(chunk_index=0, row_offset=0, row_count=len(rows))],
        truncated=False,
    )
    return {
        "manifest": manifest,
        "result": ResultData(chunk_index=0, row_offset=0, row_count=len(rows), data_array=data),
    }


def _answer_sql(ws: FakeWorkspace, sql: str, params: dict[str, str]) -> dict[str, Any] | str:
    """Result pieces for a statement, or an error message."""
    for pattern, message in ws.statement_errors:
        if re.search(pattern, sql):
            return message
    string, long = ColumnInfoTypeName.STRING, ColumnInfoTypeName.LONG
    if "LIMIT 0" in sql:
        name = re.findall(r"`([^`]+)`", sql)[-1]
        state = ws.tables.get(name)
        if state is None:
            return f"[TABLE_OR_VIEW_NOT_FOUND] The table or view `{ws.schema}`.`{name}` cannot be found."
        return state if state != "ok" else _statement_result([("x", string)], [])
    if "_event_log" in sql and "num_output_rows" in sql:
        return _statement_result(
            [("dataset", string), ("num_output_rows", long)], [[k, v] for k, v in ws.output_rows.items()]
        )
    if "_event_log" in sql and "data_quality" in sql:
        return _statement_result(
            [("dataset", string), ("rule", string), ("passed", long), ("failed", long)],
            [list(r) for r in ws.expectations],
        )
    if "COUNT_IF" in sql:
        child = re.search(r"FROM `[^`]+`\.`[^`]+`\.`([^`]+)` AS c", sql)
        rows, orphans = ws.orphans.get(child.group(1) if child else "", (0, 0))
        aliases = re.findall(r"COUNT(?:_IF)?\([^)]*\)\s+AS\s+(\w+)", sql)  # named as a warehouse would
        return _statement_result([(alias, long) for alias in aliases], [[rows, orphans]])
    if re.match(r"\s*(GRANT|CREATE|ALTER|USE)\b", sql, re.IGNORECASE):
        return _statement_result([], [])
    return f"[PARSE_SYNTAX_ERROR] Syntax error: the fake does not know this statement: {sql[:80]}"


def _execute(ws: FakeWorkspace, match: re.Match[str], query: dict[str, Any], body: dict[str, Any]):
    params = {p["name"]: p.get("value") for p in body.get("parameters", [])}
    ws.statements.append((body["statement"], params))
    statement_id = f"01ef-{next(ws._ids):06d}"
    answer = _answer_sql(ws, body["statement"], params)
    if isinstance(answer, str):
        final = StatementResponse(
            statement_id=statement_id,
            status=StatementStatus(
                state=StatementState.FAILED,
                sql_state="42000",
                error=ServiceError(error_code=ServiceErrorCode.BAD_REQUEST, message=answer),
            ),
        )
    else:
        final = StatementResponse(
            statement_id=statement_id, status=StatementStatus(state=StatementState.SUCCEEDED), **answer
        )
    ws._statements[statement_id] = final
    pending = StatementResponse(
        statement_id=statement_id, status=StatementStatus(state=StatementState.PENDING)
    )
    return 200, pending.as_dict()


def _get_statement(ws: FakeWorkspace, match: re.Match[str], query: dict[str, Any], body: dict[str, Any]):
    response = ws._statements.get(match["id"])
    if response is None:
        return _error(404, "NOT_FOUND", f"Statement {match['id']} not found.")
    return 200, response.as_dict()


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
    ("POST", re.compile(r"^/api/2\.2/jobs/run-now$"), _run_now),
    ("GET", re.compile(r"^/api/2\.2/jobs/runs/get$"), _get_run),
    ("POST", re.compile(r"^/api/2\.0/sql/statements/?$"), _execute),
    ("GET", re.compile(r"^/api/2\.0/sql/statements/(?P<id>[^/]+)$"), _get_statement),
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
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _answer(
        self, ws: FakeWorkspace, method: str, path: str, query: dict[str, Any], body: dict[str, Any]
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        if not path.startswith("/.well-known") and self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return (
                401,
                {"error_code": "UNAUTHENTICATED", "message": "Invalid access token. [ReqId: 5f1c]"},
                {},
            )
        for index, (fault_method, pattern, fault) in enumerate(ws.faults):
            if fault_method == method and pattern.search(path):
                del ws.faults[index]
                headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
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
        self.httpd.shutdown()
        self.httpd.server_close()
