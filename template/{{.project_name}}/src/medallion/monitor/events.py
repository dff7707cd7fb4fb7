"""ERROR events of given updates, read the way the events API allows paging.

`list_pipeline_events` filters only by level, id and time, and a `page_token` "is mutually
exclusive with all fields in this request except max_results" (databricks-sdk-py docstring);
the SDK's iterator re-sends `filter` and `order_by` with each token. So the monitor asks for
no filter and no order: events come newest first ("By default, events are returned in
descending order by timestamp"), later pages carry only the token, and reading stops at the
first event older than the oldest update judged. Level and update are matched here.
"""

from __future__ import annotations

import re
from datetime import datetime, timezone

from databricks.sdk import WorkspaceClient
from databricks.sdk.service.pipelines import EventLevel, PipelineEvent, UpdateInfo

_PAGE_SIZE = 100
_TIMESTAMP = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?")


def _ms(timestamp: str | None) -> int | None:
    """Milliseconds since the epoch of an event's UTC timestamp (any number of fraction digits)."""
    found = _TIMESTAMP.match(timestamp or "")
    if not found:
        return None
    whole = datetime.strptime(found[1], "%Y-%m-%dT%H:%M:%S").replace(tzinfo=timezone.utc)
    return int(whole.timestamp()) * 1000 + int((found[2] or "0")[:3].ljust(3, "0"))


def error_events(client: WorkspaceClient, pipeline_id: str, updates: list[UpdateInfo]) -> list[PipelineEvent]:
    """ERROR events whose origin.update_id is one of `updates`, oldest first."""
    ids = {u.update_id for u in updates}
    if not ids:
        return []
    since = min(int(u.creation_time or 0) for u in updates)
    found = []
    for event in client.pipelines.list_pipeline_events(pipeline_id, max_results=_PAGE_SIZE):
        moment = _ms(event.timestamp)
        if moment is not None and moment < since:
            break
        if event.level == EventLevel.ERROR and event.origin and event.origin.update_id in ids:
            found.append(event)
    return list(reversed(found))
