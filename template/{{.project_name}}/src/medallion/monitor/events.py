"""ERROR events of given updates, read the way the events API allows paging.

`list_pipeline_events` filters only by level, id and time, and a `page_token` "is mutually
exclusive with all fields in this request except max_results" (databricks-sdk-py docstring);
the SDK's iterator re-sends `filter` and `order_by` with each token. So the monitor asks for
no filter and no order: events come newest first ("By default, events are returned in
descending order by timestamp"), later pages carry only the token, and reading stops at the
first event older than the oldest update judged. Level and update are matched here.
"""

from __future__ import annotations

from datetime import datetime, timezone

from databricks.sdk import WorkspaceClient
from databricks.sdk.service.pipelines import EventLevel, PipelineEvent, UpdateInfo

_PAGE_SIZE = 100


def _iso(ms: int) -> str:
    moment = datetime.fromtimestamp(ms / 1000, tz=timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"


def error_events(client: WorkspaceClient, pipeline_id: str, updates: list[UpdateInfo]) -> list[PipelineEvent]:
    """ERROR events whose origin.update_id is one of `updates`, oldest first."""
    ids = {u.update_id for u in updates}
    if not ids:
        return []
    since = _iso(min(int(u.creation_time or 0) for u in updates))
    found = []
    for event in client.pipelines.list_pipeline_events(pipeline_id, max_results=_PAGE_SIZE):
        if (event.timestamp or "") < since:
            break
        if event.level == EventLevel.ERROR and event.origin and event.origin.update_id in ids:
            found.append(event)
    return list(reversed(found))
