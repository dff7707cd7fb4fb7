"""The report's Connect session gives up on a dead server at once (pyspark's client, no JVM).

By default pyspark's Connect client retries an unavailable server for at least ten minutes; a
session opened with `alive` retries only while `alive()` says the server is there.
"""

from __future__ import annotations

import socket
import time

import pytest

from medallion.tooling.local.connect_server import Endpoint
from medallion.tooling.local.failure import READBACK_PHASE, server_lost
from medallion.tooling.local.session import open_session

pytest.importorskip("pyspark.sql.connect.client.retries")
LIVES_S = 1.5


def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_session_retries_while_the_server_lives_and_stops_once_it_is_gone() -> None:
    """The server "lives" for 1.5 s: the session keeps retrying that long (pyspark's backoff
    50 ms, 200 ms, 800 ms, 3.2 s, ...), then gives up at its next retry instead of ten minutes on."""
    started = time.monotonic()

    def alive() -> bool:
        return time.monotonic() - started < LIVES_S

    with pytest.raises(Exception, match=r"UNAVAILABLE|failed to connect"):
        open_session(Endpoint(f"sc://127.0.0.1:{closed_port()}"), "default", alive)
    elapsed = time.monotonic() - started
    assert LIVES_S <= elapsed < LIVES_S + 14, f"gave up after {elapsed:.1f} s"


def test_a_server_lost_in_the_readback_is_named_by_its_log() -> None:
    died = server_lost(50, "2g", ["ERROR SparkUncaughtExceptionHandler: Uncaught exception"], READBACK_PHASE)
    assert died.kind == "server_died" and died.cause.endswith(READBACK_PHASE)
    assert "exit" in died.cause or "50" in died.cause, died.cause
    oom = server_lost(None, "2g", ["java.lang.OutOfMemoryError: Java heap space"], READBACK_PHASE)
    assert oom.kind == "out_of_memory" and "--driver-memory 4g" in oom.fix
