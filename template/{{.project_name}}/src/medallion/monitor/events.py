"""ERROR events of given updates, read the way the events API allows paging.

`list_pipeline_events` filters only by level, id and time, and a `page_token` "is mutually
exclusive with all fields in this request except max_results" (databricks-sdk-py docstring);
the SDK's iterator re-sends `filter` and `order_by` with each token. So the monitor asks for
no filter and no order: events come newest first ("By default, events are returned in
descending order by timestamp"), later pages carry only the token, and reading stops at the
first event older than the oldest update judged. Level and update are matched here. Each
page is one request (`api_client.do` with the documented query, read with the SDK's
`ListPipelineEventsResponse`), so a transient fault retries that page, not the whole listing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

from databricks.sdk import WorkspaceClient
from databricks.sdk.service.pipelines import (
    EventLevel,
    ListPipelineEventsResponse,
    PipelineEvent,
    UpdateInfo,
)

from medallion.monitor.api import call

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
    for event in _events(client, pipeline_id):
        moment = _ms(event.timestamp)
        if moment is not None and moment < since:
            break
        if event.level == EventLevel.ERROR and event.origin and event.origin.update_id in ids:
            found.append(event)
    return list(reversed(found))


def _events(client: WorkspaceClient, pipeline_id: str) -> Iterator[PipelineEvent]:
    """Events newest first, a page per request: the first with max_results, later ones by token."""
    path = f"/api/2.0/pipelines/{pipeline_id}/events"
    query: dict[str, Any] = {"max_results": _PAGE_SIZE}
    while True:
        page = call(client, f"GET {path}", _page, client, path, dict(query))
        yield from page.events or []
        if not page.next_page_token:
            return
        query = {"max_results": _PAGE_SIZE, "page_token": page.next_page_token}


def _page(client: WorkspaceClient, path: str, query: dict[str, Any]) -> ListPipelineEventsResponse:
    answer = client.api_client.do("GET", path, query=query, headers={"Accept": "application/json"})
    if not isinstance(answer, dict):
        raise TypeError(f"expected a JSON object, got {type(answer).__name__}")
    return ListPipelineEventsResponse.from_dict(answer)
