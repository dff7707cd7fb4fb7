"""The pipeline event log in its documented shape: one list of rows behind both the REST events
API (`list_pipeline_events`) and the published event-log table the monitor queries with SQL.

Columns and their types follow the Databricks docs page "Pipeline event log schema"
(docs.databricks.com/aws/en/ldp/monitor-event-log-schema) and the `event_log` table-valued
function's return type (docs.databricks.com/aws/en/sql/language-manual/functions/event_log):
`id, sequence, origin, timestamp, message, level, maturity_level, error, details, event_type`,
with `details` a JSON string read with the `:` operator. `origin` is a struct here, as the
docs' own queries use it (`origin.update_id`); only the Origin fields the docs list are kept.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from databricks.sdk.service.pipelines import PipelineEvent

ORIGIN_FIELDS = {
    "cloud": "STRING",
    "region": "STRING",
    "org_id": "BIGINT",
    "pipeline_id": "STRING",
    "pipeline_type": "STRING",
    "pipeline_name": "STRING",
    "cluster_id": "STRING",
    "update_id": "STRING",
    "table_id": "STRING",
    "table_name": "STRING",
    "flow_id": "STRING",
    "flow_name": "STRING",
    "dataset_name": "STRING",
    "batch_id": "BIGINT",
    "request_id": "STRING",
}

EVENT_LOG_COLUMNS = {
    "id": "STRING",
    "sequence": "STRING",
    "origin": "STRUCT<" + ", ".join(f"{k}: {v}" for k, v in ORIGIN_FIELDS.items()) + ">",
    "timestamp": "TIMESTAMP",
    "message": "STRING",
    "level": "STRING",
    "maturity_level": "STRING",
    "error": "STRING",
    "details": "STRING",
    "event_type": "STRING",
}

# The documented keys of `details` the monitor may read ("Details object" on the schema page:
# flow_progress.metrics / flow_progress.data_quality, update_progress.state). A leaf is its type.
DETAILS_SHAPE: dict[str, Any] = {
    "flow_progress": {
        "status": "STRING",
        "metrics": {
            "num_output_rows": "BIGINT",
            "num_upserted_rows": "BIGINT",
            "num_deleted_rows": "BIGINT",
            "backlog_bytes": "DOUBLE",
            "backlog_files": "DOUBLE",
            "executor_time_ms": "BIGINT",
        },
        "data_quality": {
            "dropped_records": "BIGINT",
            "expectations": [
                {
                    "name": "STRING",
                    "dataset": "STRING",
                    "passed_records": "BIGINT",
                    "failed_records": "BIGINT",
                }
            ],
        },
    },
    "update_progress": {"state": "STRING"},
    "create_update": {"cause": "STRING", "full_refresh": "BOOLEAN"},
}


def iso(moment_ms: int) -> str:
    """The REST API's timestamp text (RFC 3339, milliseconds, Z)."""
    moment = datetime.fromtimestamp(moment_ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def event_row(
    *,
    event_id: str,
    pipeline_id: str,
    pipeline_name: str,
    update_id: str,
    timestamp_ms: int,
    event_type: str,
    message: str,
    details: dict[str, Any],
    level: str = "INFO",
    dataset: str | None = None,
    error: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """One event-log row in the documented shape (details and error as JSON text)."""
    origin = dict.fromkeys(ORIGIN_FIELDS)
    origin.update(
        pipeline_id=pipeline_id,
        pipeline_name=pipeline_name,
        update_id=update_id,
        dataset_name=dataset,
        flow_name=dataset,
        cloud="AWS",
        region="us-west-2",
    )
    return {
        "id": event_id,
        "sequence": json.dumps({"data_plane_id": {"seq_no": timestamp_ms}}),
        "origin": origin,
        "timestamp": datetime.fromtimestamp(timestamp_ms / 1000, tz=timezone.utc),
        "message": message,
        "level": level,
        "maturity_level": "STABLE",
        "error": json.dumps(error) if error else None,
        "details": json.dumps(details),
        "event_type": event_type,
    }


def flow_progress_details(
    num_output_rows: int | None, expectations: list[tuple[str, str, int, int]], status: str = "COMPLETED"
) -> dict[str, Any]:
    """`details` of a flow_progress event: metrics and data_quality (rule, dataset, passed, failed)."""
    progress: dict[str, Any] = {"status": status}
    if num_output_rows is not None:
        progress["metrics"] = {"num_output_rows": num_output_rows}
    if expectations:
        progress["data_quality"] = {
            "dropped_records": 0,
            "expectations": [
                {"name": name, "dataset": dataset, "passed_records": passed, "failed_records": failed}
                for name, dataset, passed, failed in expectations
            ],
        }
    return {"flow_progress": progress}


def to_pipeline_event(row: dict[str, Any]) -> PipelineEvent:
    """The REST face of a row: what `GET /api/2.0/pipelines/{id}/events` returns for it."""
    origin = {k: v for k, v in row["origin"].items() if v is not None}
    body: dict[str, Any] = {
        "id": row["id"],
        "event_type": row["event_type"],
        "level": row["level"],
        "maturity_level": row["maturity_level"],
        "message": row["message"],
        "timestamp": iso(int(row["timestamp"].timestamp() * 1000)),
        "origin": origin,
    }
    if row["error"]:
        body["error"] = json.loads(row["error"])
    return PipelineEvent.from_dict(body)


_LEVEL = re.compile(r"^level\s*=\s*'(INFO|WARN|ERROR|METRICS)'$", re.IGNORECASE)
_LEVELS = re.compile(r"^level\s+in\s*\(([^)]*)\)$", re.IGNORECASE)
_ID = re.compile(r"^id\s*=\s*'([^']+)'$", re.IGNORECASE)
_TIME = re.compile(r"^timestamp\s*(>=|<=|>|<|=)\s*'([^']+)'$", re.IGNORECASE)


def event_filter(text: str) -> Callable[[Any], bool] | None:
    """The documented filter forms (PipelinesAPI.list_pipeline_events `filter`): level='X',
    level in (...), id='..', timestamp op 'TS', joined with AND; None for anything else."""
    checks = [_event_check(part.strip()) for part in re.split(r"\s+AND\s+", text, flags=re.IGNORECASE)]
    if not text.strip():
        return lambda event: True
    if any(check is None for check in checks):
        return None
    return lambda event: all(check(event) for check in checks if check is not None)


def _event_check(part: str) -> Callable[[Any], bool] | None:
    if found := _LEVEL.match(part):
        return _levels_in({found[1].upper()})
    if found := _LEVELS.match(part):
        return _levels_in({v.strip().strip("'").upper() for v in found[1].split(",")})
    if found := _ID.match(part):
        wanted = found[1]
        return lambda event: event.id == wanted
    if found := _TIME.match(part):
        compare = {">=": str.__ge__, "<=": str.__le__, ">": str.__gt__, "<": str.__lt__, "=": str.__eq__}
        operator, moment = compare[found[1]], found[2]
        return lambda event: operator(event.timestamp or "", moment)
    return None


def _levels_in(levels: set[str]) -> Callable[[Any], bool]:
    return lambda event: event.level is not None and event.level.value in levels
