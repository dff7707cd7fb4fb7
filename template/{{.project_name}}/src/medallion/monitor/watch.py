"""Poll a pipeline with backoff until the selected update settles or the timeout passes."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TextIO

from databricks.sdk import WorkspaceClient
from databricks.sdk.service.pipelines import GetPipelineResponse, UpdateInfo

from medallion.monitor.api import call
from medallion.monitor.deadline import DeadlineReached, deadline_of
from medallion.monitor.updates import (
    TERMINAL,
    Selector,
    find_chain,
    newer_than_chain,
    recent_updates,
    state_of,
)

SETTLED_PIPELINE_STATES = frozenset({"IDLE", "FAILED", "DELETED"})


@dataclass(frozen=True)
class Polling:
    """Poll every `interval_s`, growing by half each unchanged poll up to `max_interval_s`."""

    interval_s: float = 5.0
    max_interval_s: float = 30.0
    timeout_s: float = 3600.0


@dataclass(frozen=True)
class Watched:
    """What the last poll saw."""

    pipeline: GetPipelineResponse
    chain: list[UpdateInfo]
    timed_out: bool
    elapsed_s: float

    @property
    def final(self) -> UpdateInfo | None:
        return self.chain[-1] if self.chain else None


class StatusLine:
    """One live line on stderr: rewritten in place on a terminal, a new line per change otherwise."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stderr
        self.last = ""

    def show(self, text: str) -> None:
        if self.stream.isatty():
            self.stream.write("\r\033[K" + text)
        elif text.split("] ", 1)[-1] != self.last.split("] ", 1)[-1]:
            self.stream.write(text + "\n")
        self.stream.flush()
        self.last = text

    def end(self) -> None:
        if self.stream.isatty() and self.last:
            self.stream.write("\n")


def watch(
    client: WorkspaceClient, pipeline_id: str, selector: Selector, polling: Polling, status: StatusLine
) -> Watched:
    """Poll until the chain's last update is terminal and the pipeline has settled (no retry pending).

    Gives up (timed_out) after `polling.timeout_s` or at the client's deadline, whichever is first.
    """
    clock = client.config.clock
    deadline = deadline_of(clock)
    started = clock.time()
    limit = min(polling.timeout_s, deadline.left())
    delay = polling.interval_s
    previous: tuple[str, str] | None = None
    seen: Watched | None = None
    while True:
        try:
            pipeline = call(
                client, f"GET /api/2.0/pipelines/{pipeline_id}", client.pipelines.get, pipeline_id
            )
            updates = recent_updates(client, pipeline_id, selector)
        except DeadlineReached:
            if seen is None:
                raise
            status.end()  # time ran out during a poll: judge what the last poll saw
            return Watched(seen.pipeline, seen.chain, True, clock.time() - started)
        chain = find_chain(updates, selector)
        elapsed = clock.time() - started
        pipeline_state = pipeline.state.value if pipeline.state else "UNKNOWN"
        update_state = state_of(chain[-1] if chain else None)
        update_id = chain[-1].update_id if chain else "-"
        retries = f" (retry {len(chain) - 1})" if len(chain) > 1 else ""
        status.show(
            f"[{elapsed:6.0f}s] pipeline {pipeline_state}; update {update_id} {update_state}{retries}"
        )
        settled = pipeline_state in SETTLED_PIPELINE_STATES or newer_than_chain(updates, chain)
        if update_state in TERMINAL and settled:
            status.end()
            return Watched(pipeline, chain, False, elapsed)
        if elapsed >= limit or deadline.left() <= 0:
            status.end()
            return Watched(pipeline, chain, True, elapsed)
        seen = Watched(pipeline, chain, False, elapsed)
        key = (pipeline_state, update_state)
        delay = polling.interval_s if key != previous else min(delay * 1.5, polling.max_interval_s)
        previous = key
        deadline.pause(min(delay, max(limit - elapsed, 0.0)))
