"""Monitor an update on Databricks: watch it, gather evidence, judge it."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import NotFound, PermissionDenied, Unauthenticated
from databricks.sdk.service.pipelines import GetPipelineResponse

from medallion import naming
from medallion.monitor.api import call
from medallion.monitor.deadline import DeadlineReached, deadline_of
from medallion.monitor.diagnosis import Diagnosis, Failure, classify, diagnose_events, diagnose_state
from medallion.monitor.errors import ConfigurationError
from medallion.monitor.events import error_events
from medallion.monitor.judge import Criterion, conclude, report_criteria
from medallion.monitor.quality import expectation_results, orphan_counts, output_rows
from medallion.monitor.tables import TableCheck, check_tables
from medallion.monitor.updates import Selector, state_of
from medallion.monitor.warehouse import SqlError, Warehouse
from medallion.monitor.watch import Polling, StatusLine, Watched, watch
from medallion.spec.model import Spec
from medallion.spec.trace import explain


@dataclass(frozen=True)
class Location:
    """Where the pipeline publishes: its catalog, schema and event-log table."""

    catalog: str
    schema: str
    event_log: tuple[str, str, str] | None


@dataclass(frozen=True)
class RemoteTarget:
    """The pipeline to judge, the warehouse for SQL, and optional overrides of its settings."""

    pipeline_id: str
    warehouse_id: str
    catalog: str | None = None
    schema: str | None = None
    pipeline_name: str | None = None


def get_pipeline(client: WorkspaceClient, pipeline_id: str) -> GetPipelineResponse:
    """The pipeline, or a ConfigurationError saying why it cannot be read."""
    endpoint = f"GET /api/2.0/pipelines/{pipeline_id}"
    try:
        return call(client, endpoint, client.pipelines.get, pipeline_id, problem=_not_a_pipeline)
    except (NotFound, PermissionDenied, Unauthenticated) as error:
        raise ConfigurationError(f"cannot read pipeline {pipeline_id}: {error}") from None


def _not_a_pipeline(pipeline: GetPipelineResponse) -> str | None:
    """An answer without pipeline_id or spec (an empty body, once, is asked again)."""
    if pipeline.pipeline_id or pipeline.spec:
        return None
    return "answered without pipeline_id or spec (not a pipeline)"


def locate(pipeline: GetPipelineResponse, target: RemoteTarget) -> Location:
    """Catalog, schema and event log from the pipeline's settings, overridden by the arguments."""
    settings = pipeline.spec
    catalog = target.catalog or (settings.catalog if settings else None)
    schema = target.schema or (settings.schema or settings.target if settings else None)
    if not catalog or not schema:
        raise ConfigurationError(
            "the pipeline has no catalog/schema in its settings: pass --catalog and --schema"
        )
    published = settings.event_log if settings else None
    if published and published.name:
        event_log = (published.catalog or catalog, published.schema or schema, published.name)
    elif target.pipeline_name:
        event_log = (catalog, schema, naming.event_log_table(target.pipeline_name))
    else:
        event_log = None
    return Location(catalog, schema, event_log)


def monitor_remote(
    client: WorkspaceClient,
    spec: Spec,
    target: RemoteTarget,
    selector: Selector,
    polling: Polling,
    status: StatusLine,
) -> dict[str, Any]:
    """Watch the selected update to a terminal state (or the timeout) and judge it."""
    location = locate(get_pipeline(client, target.pipeline_id), target)
    watched = watch(client, target.pipeline_id, selector, polling, status)
    return judge_remote(client, spec, target, location, selector, watched)


def judge_remote(
    client: WorkspaceClient,
    spec: Spec,
    target: RemoteTarget,
    location: Location,
    selector: Selector,
    watched: Watched,
) -> dict[str, Any]:
    final = watched.final
    report: dict[str, Any] = {
        "status": state_of(final),
        "duration_s": round(watched.elapsed_s, 1),
        "tables": {},
        "rules": [],
        "duplicates": {},
        "pipeline_id": target.pipeline_id,
        "update_ids": [u.update_id for u in watched.chain],
    }
    if final is None:
        missing = Criterion("update found", False, f"no {selector.describe()} appeared")
        return conclude(report, [missing], [], watched.timed_out)
    errors = _error_events(client, target.pipeline_id, final, watched.timed_out)
    diagnoses = diagnose_events(errors) + diagnose_state(report["status"], bool(errors))
    diagnoses = traced_to_spec(diagnoses, errors, spec)
    if watched.timed_out:
        late = Criterion("finished in time", False, f"update {final.update_id} still {report['status']}")
        return conclude(report, [late], [d.as_dict() for d in diagnoses], timed_out=True)
    warehouse = Warehouse(client, target.warehouse_id)
    expected = naming.expected_tables(spec)
    check = check_tables(client, warehouse, location.catalog, location.schema, list(expected))
    extra: list[Criterion] = []
    rows = _quality(warehouse, spec, location, report, check, extra, diagnoses)
    report["tables"] = {t: {"rows": rows.get(t, 0), "layer": expected[t]} for t in check.present}
    pipeline_state = watched.pipeline.state.value if watched.pipeline.state else "UNKNOWN"
    unreadable = "; ".join(f"{t}: {m.splitlines()[0]}" for t, m in check.unreadable.items())
    criteria = [
        Criterion("pipeline idle", pipeline_state == "IDLE", f"pipeline state {pipeline_state}"),
        *report_criteria(report, spec),
        Criterion("no error events", not errors, f"{len(errors)} ERROR event(s) in update {final.update_id}"),
        Criterion(
            "expected tables readable", not check.unreadable, unreadable or "every present table reads"
        ),
        *extra,
    ]
    diagnoses += [classify(Failure(message, dataset=table)) for table, message in check.unreadable.items()]
    return conclude(report, criteria, _unique(diagnoses))


def _quality(
    warehouse: Warehouse,
    spec: Spec,
    location: Location,
    report: dict[str, Any],
    check: TableCheck,
    extra: list[Criterion],
    diagnoses: list[Diagnosis],
) -> dict[str, int]:
    """Fill the report's rules and orphans; return rows per table; note what could not be read."""
    if location.event_log is None:
        extra.append(
            Criterion(
                "event log published",
                False,
                "set the pipeline's event_log {catalog, schema, name} so quality can be read",
            )
        )
        return {}
    update_ids = [u for u in report["update_ids"] if u]
    readable = set(check.present) - set(check.unreadable)
    try:
        rows = output_rows(warehouse, location.event_log, update_ids)
        report["rules"] = expectation_results(warehouse, location.event_log, update_ids, spec)
        if any(s.references and s.thresholds.max_orphan_fraction is not None for s in spec.sources):
            report["orphans"] = orphan_counts(warehouse, location.catalog, location.schema, spec, readable)
    except SqlError as error:
        extra.append(
            Criterion("quality figures readable", False, f"{error.code}: {error.message.splitlines()[0]}")
        )
        diagnoses.append(classify(Failure(error.message)))
        return {}
    return rows


def traced_to_spec(diagnoses: list[Diagnosis], errors: list[Any], spec: Spec) -> list[Diagnosis]:
    """Add to the first diagnosis the spec keys (rule, measure, aggregate) behind the error events."""
    traced: list[str] = []
    for event in errors:
        failure = Failure.from_event(event)
        line = explain(spec, failure.text, failure.dataset)
        if line and line not in traced:
            traced.append(line)
    if not traced or not diagnoses:
        return diagnoses
    first = diagnoses[0]
    return [replace(first, evidence=(*first.evidence, *traced)), *diagnoses[1:]]


def _error_events(client: WorkspaceClient, pipeline_id: str, final: Any, timed_out: bool) -> list[Any]:
    """ERROR events of the judged update; after a timeout, only if a few seconds' grace allow."""
    if not timed_out:
        return error_events(client, pipeline_id, [final])
    with deadline_of(client.config.clock).grace(5.0):
        try:
            return error_events(client, pipeline_id, [final])
        except DeadlineReached:
            return []


def _unique(diagnoses: list[Diagnosis]) -> list[dict[str, Any]]:
    seen: dict[tuple[str, str], dict[str, Any]] = {}
    for diagnosis in diagnoses:
        seen.setdefault((diagnosis.cause, diagnosis.fix), diagnosis.as_dict())
    return list(seen.values())
