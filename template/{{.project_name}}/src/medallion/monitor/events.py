"""ERROR events of given updates (the events API filters by level and time only)."""

from __future__ import annotations

from datetime import datetime, timezone

from databricks.sdk import WorkspaceClient
from databricks.sdk.service.pipelines import PipelineEvent, UpdateInfo


def _iso(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def error_events(client: WorkspaceClient, pipeline_id: str, updates: list[UpdateInfo]) -> list[PipelineEvent]:
    """ERROR events whose origin.update_id is one of `updates`, oldest first, every page read."""
    ids = {u.update_id for u in updates}
    if not ids:
        return []
    since = min(int(u.creation_time or 0) for u in updates)
    events = client.pipelines.list_pipeline_events(
        pipeline_id,
        filter=f"level='ERROR' AND timestamp >= '{_iso(since)}'",
        order_by=["timestamp asc"],
        max_results=100,
    )
    return [e for e in events if e.origin and e.origin.update_id in ids]
