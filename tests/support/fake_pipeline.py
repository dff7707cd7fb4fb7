"""Updates of the fake's one pipeline and the event-log rows each logs as it walks its states.

An update logs, in the documented event types (docs: "Pipeline event log schema", Details
object): `create_update` when created, `update_progress` for each state reached, and once
terminal a STARTING and a final `flow_progress` per flow (metrics.num_output_rows and
data_quality.expectations) and its ERROR events (`error.exceptions`, `fatal`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from tests.support.fake_event_log import event_row, flow_progress_details

TERMINAL = {"COMPLETED", "FAILED", "CANCELED"}
STACK = [
    {
        "declaring_class": "org.apache.spark.sql.execution.QueryExecution",
        "method_name": "assertAnalyzed",
        "file_name": "QueryExecution.scala",
        "line_number": 94,
    }
] * 3


@dataclass
class Error:
    """An ERROR event an update logs: message, exception class and the dataset it concerns."""

    message: str
    class_name: str = "org.apache.spark.sql.AnalysisException"
    exception_message: str | None = None
    dataset: str | None = None
    event_type: str = "flow_progress"


@dataclass
class Flow:
    """What one flow of an update wrote: rows out and (rule, passed, failed) per expectation."""

    dataset: str
    num_output_rows: int | None = None
    expectations: list[tuple[str, int, int]] = field(default_factory=list)
    status: str = "COMPLETED"


@dataclass
class FakeUpdate:
    """An update walking through `states`, one per tick from `start_tick`; the last state sticks."""

    update_id: str
    cause: str
    states: list[str]
    errors: list[Error] = field(default_factory=list)
    start_tick: int = 0
    creation_time: int = 0
    flows: list[Flow] | None = None

    def state_at(self, tick: int) -> str | None:
        if tick < self.start_tick:
            return None
        return self.states[min(tick - self.start_tick, len(self.states) - 1)]

    def end_tick(self) -> int:
        return self.start_tick + len(self.states) - 1


@dataclass(frozen=True)
class Where:
    """The pipeline an event belongs to and the schema its datasets live in."""

    pipeline_id: str
    pipeline_name: str
    catalog: str
    schema: str


def default_flows(output_rows: dict[str, int], expectations: list[tuple[str, str, int, int]]) -> list[Flow]:
    """Flows from per-dataset row counts and (dataset, rule, passed, failed) figures."""
    rules: dict[str, list[tuple[str, int, int]]] = {}
    for dataset, rule, passed, failed in expectations:
        rules.setdefault(dataset.split(".")[-1], []).append((rule, passed, failed))
    names = list(dict.fromkeys([*output_rows, *rules]))
    return [Flow(n, output_rows.get(n), rules.get(n, [])) for n in names]


def update_events(update: FakeUpdate, tick: int, where: Where, defaults: list[Flow]) -> list[dict[str, Any]]:
    """Rows `update` has logged by `tick`; `defaults` are the flows of a COMPLETED update without own."""
    reached = update.states[: tick - update.start_tick + 1]
    if not reached:
        return []
    name, cause = f"Update {update.update_id[:6]}", update.cause
    created = {"create_update": {"cause": cause}}
    logged = [_row(update, where, 0, "create_update", f"{name} started by {cause}.", created)]
    for offset, state in enumerate(dict.fromkeys(reached), start=1):
        details = {"update_progress": {"state": state}}
        logged.append(_row(update, where, offset, "update_progress", f"{name} is {state}.", details))
    if reached[-1] not in TERMINAL:
        return logged
    base = len(update.states) + 1
    flows = update.flows if update.flows is not None else (defaults if reached[-1] == "COMPLETED" else [])
    for number, flow in enumerate(flows):
        starting = flow_progress_details(None, [], "STARTING")
        logged.append(
            _row(
                update,
                where,
                base,
                "flow_progress",
                f"Flow '{flow.dataset}' is STARTING.",
                starting,
                dataset=flow.dataset,
                serial=2 * number,
            )
        )
        qualified = [
            (r, f"{where.catalog}.{where.schema}.{flow.dataset}", p, f) for r, p, f in flow.expectations
        ]
        final = flow_progress_details(flow.num_output_rows, qualified, flow.status)
        logged.append(
            _row(
                update,
                where,
                base + 1,
                "flow_progress",
                f"Flow '{flow.dataset}' has {flow.status}.",
                final,
                dataset=flow.dataset,
                serial=2 * number + 1,
            )
        )
    for number, error in enumerate(update.errors):
        exception = {"class_name": error.class_name, "message": error.exception_message or error.message}
        detail = {"exceptions": [{**exception, "stack": STACK}], "fatal": True}
        logged.append(
            _row(
                update,
                where,
                base + 2,
                error.event_type,
                error.message,
                {error.event_type: {}},
                level="ERROR",
                dataset=error.dataset,
                error=detail,
                serial=number,
            )
        )
    return logged


def _row(
    update: FakeUpdate,
    where: Where,
    offset_s: int,
    event_type: str,
    message: str,
    details: dict[str, Any],
    level: str = "INFO",
    dataset: str | None = None,
    error: dict[str, Any] | None = None,
    serial: int = 0,
) -> dict[str, Any]:
    return event_row(
        event_id=f"evt-{update.update_id[:8]}-{offset_s:02d}-{serial:03d}-{event_type}-{level}",
        pipeline_id=where.pipeline_id,
        pipeline_name=where.pipeline_name,
        update_id=update.update_id,
        timestamp_ms=update.creation_time + offset_s * 1000 + serial,
        event_type=event_type,
        message=message,
        details=details,
        level=level,
        dataset=dataset,
        error=error,
    )
