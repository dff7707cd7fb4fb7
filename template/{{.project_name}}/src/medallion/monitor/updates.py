"""Which pipeline update to judge: the one a job run caused (plus its retries), one we
started, or the latest; and the list of recent updates it is found in."""

from __future__ import annotations

from dataclasses import dataclass

from databricks.sdk import WorkspaceClient
from databricks.sdk.service.pipelines import UpdateInfo, UpdateInfoCause

from medallion.monitor.api import call

TERMINAL = frozenset({"COMPLETED", "FAILED", "CANCELED"})
_PAGE_SIZE = 25
_MAX_PAGES = 8


@dataclass(frozen=True)
class Selector:
    """Exactly one of: an update id, a time (job start), a baseline update id, or latest."""

    update_id: str | None = None
    since_ms: int | None = None
    after_update_id: str | None = None
    after_baseline: bool = False
    latest: bool = False

    def describe(self) -> str:
        if self.update_id:
            return f"update {self.update_id}"
        if self.since_ms is not None:
            return f"the first job-task update created at or after {self.since_ms} ms"
        if self.after_baseline:
            return f"the first job-task update after {self.after_update_id or 'none'}"
        return "the latest update"


def state_of(update: UpdateInfo | None) -> str:
    return update.state.value if update and update.state else "NOT_STARTED"


def recent_updates(client: WorkspaceClient, pipeline_id: str, selector: Selector) -> list[UpdateInfo]:
    """Updates newest first, paging only as far back as the selector needs.

    The API returns "the 25 most recent updates in timestamp descending order" (ListUpdatesRequest,
    Databricks SDK for JavaScript); the Python SDK documents no order, so the pages read are
    sorted by creation_time here and nothing downstream depends on the order within a page.
    """
    updates: list[UpdateInfo] = []
    token: str | None = None
    for _ in range(_MAX_PAGES):
        page = call(
            client,
            f"GET /api/2.0/pipelines/{pipeline_id}/updates",
            client.pipelines.list_updates,
            pipeline_id,
            max_results=_PAGE_SIZE,
            page_token=token,
        )
        updates = newest_first([*updates, *(page.updates or [])])
        token = page.next_page_token
        if not token or _reached(updates, selector):
            break
    return updates


def newest_first(updates: list[UpdateInfo]) -> list[UpdateInfo]:
    """Updates by creation time, newest first (ties keep their order)."""
    return sorted(updates, key=lambda u: -(u.creation_time or 0))


def _reached(updates: list[UpdateInfo], selector: Selector) -> bool:
    oldest = updates[-1] if updates else None
    if selector.update_id:
        return any(u.update_id == selector.update_id for u in updates)
    if selector.since_ms is not None:
        return oldest is not None and (oldest.creation_time or 0) < selector.since_ms
    if selector.after_baseline and selector.after_update_id:
        return any(u.update_id == selector.after_update_id for u in updates)
    return selector.latest and any(u.cause != UpdateInfoCause.RETRY_ON_FAILURE for u in updates)


def find_chain(newest_first: list[UpdateInfo], selector: Selector) -> list[UpdateInfo]:
    """The selected update and the RETRY_ON_FAILURE updates that follow it, oldest first."""
    oldest_first = list(reversed(newest_first))
    start = _anchor(oldest_first, selector)
    if start is None:
        return []
    chain = [oldest_first[start]]
    for update in oldest_first[start + 1 :]:
        if update.cause != UpdateInfoCause.RETRY_ON_FAILURE:
            break
        chain.append(update)
    return chain


def _anchor(oldest_first: list[UpdateInfo], selector: Selector) -> int | None:
    indexed = list(enumerate(oldest_first))
    if selector.update_id:
        return next((i for i, u in indexed if u.update_id == selector.update_id), None)
    if selector.since_ms is not None:
        return next(
            (
                i
                for i, u in indexed
                if u.cause == UpdateInfoCause.JOB_TASK and (u.creation_time or 0) >= selector.since_ms
            ),
            None,
        )
    if selector.after_baseline:
        ids = [u.update_id for u in oldest_first]
        first = ids.index(selector.after_update_id) + 1 if selector.after_update_id in ids else 0
        return next((i for i, u in indexed[first:] if u.cause == UpdateInfoCause.JOB_TASK), None)
    anchors = [i for i, u in indexed if u.cause != UpdateInfoCause.RETRY_ON_FAILURE]
    return anchors[-1] if anchors else None


def newer_than_chain(newest_first: list[UpdateInfo], chain: list[UpdateInfo]) -> bool:
    """True when an update outside the chain started after it (someone else runs the pipeline)."""
    if not chain or not newest_first:
        return False
    ids = [u.update_id for u in newest_first]
    return chain[-1].update_id in ids and ids.index(chain[-1].update_id) > 0
