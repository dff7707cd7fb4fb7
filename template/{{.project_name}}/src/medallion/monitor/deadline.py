"""`--timeout` as one wall-clock deadline over every wait of `medallion monitor` and `deploy`.

Three things wait: our own polling (pipeline states, statements), the SDK's own retries of
HTTP 429/503 and connection errors (it sleeps `Retry-After`, default budget 5 minutes), and
calls that never answer (a hanging connection, a CLI subprocess). The first two sleep on the
clock handed to the SDK's `Config(clock=...)`: `DeadlineClock` refuses a sleep that would end
after the deadline, which stops the SDK's retry loop with `DeadlineReached` at once (no SDK
function is patched; `Clock` is the SDK's own interface for this). The third is bounded by
running each call in a worker thread and waiting for it only as long as time is left
(`Deadline.run`); the SDK's own `http_timeout_seconds` later ends the abandoned request.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

from databricks.sdk.clock import Clock

T = TypeVar("T")


class DeadlineReached(Exception):
    """The --timeout ran out: exit code 3; the message is the one-line cause."""


class Deadline:
    """A point in time on `clock`, `seconds` from now (infinite when seconds is None)."""

    def __init__(self, clock: Clock, seconds: float | None = None) -> None:
        self.clock = clock
        self.seconds = math.inf if seconds is None else float(seconds)
        self.at = clock.time() + self.seconds

    def left(self) -> float:
        """Seconds until the deadline, never negative."""
        return max(0.0, self.at - self.clock.time())

    def describe(self) -> str:
        return f"the --timeout of {self.seconds:g} s"

    def reached(self, cause: str) -> DeadlineReached:
        return DeadlineReached(f"{cause}; {self.describe()} ran out")

    def pause(self, seconds: float) -> None:
        """Sleep `seconds`, or only until the deadline."""
        wait = min(seconds, self.left())
        if wait > 0:
            self.clock.sleep(wait)

    @contextmanager
    def grace(self, seconds: float) -> Iterator[None]:
        """A few more seconds for a last best-effort call (a cancel, the events of a late update)."""
        saved = self.at
        self.at = max(saved, self.clock.time() + seconds)
        try:
            yield
        finally:
            self.at = saved

    def run(self, what: str, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """`fn(*args, **kwargs)`, or DeadlineReached if it has not returned when time runs out."""
        if math.isinf(self.at):
            return fn(*args, **kwargs)
        if self.left() <= 0:
            raise self.reached(f"{what} was not sent")
        box: dict[str, Any] = {}
        done = threading.Event()

        def work() -> None:
            try:
                box["value"] = fn(*args, **kwargs)
            except BaseException as error:  # handed to the caller's thread below
                box["error"] = error
            finally:
                done.set()

        threading.Thread(target=work, name=f"medallion: {what}", daemon=True).start()
        if not done.wait(self.left()):
            raise self.reached(f"{what} did not answer")
        if "error" in box:
            raise box["error"]
        return box["value"]


class DeadlineClock(Clock):
    """The SDK's clock: real (or test) time, but no sleep past the deadline."""

    def __init__(self, deadline: Deadline) -> None:
        self.deadline = deadline

    def time(self) -> float:
        return self.deadline.clock.time()

    def sleep(self, seconds: float) -> None:
        left = self.deadline.left()
        if seconds > left:
            raise self.deadline.reached(
                f"the next try would be in {seconds:.0f} s (the API's Retry-After or the SDK's back-off "
                f"after HTTP 429/503 or a connection error), {left:.0f} s were left"
            )
        self.deadline.clock.sleep(seconds)


def deadline_of(clock: Clock) -> Deadline:
    """The deadline behind a client's clock; an endless one for clocks made elsewhere."""
    if isinstance(clock, DeadlineClock):
        return clock.deadline
    return Deadline(clock, None)
