"""The report's Connect session gives up on a dead server at once (pyspark's client, no JVM).

By default pyspark's Connect client retries an unavailable server for at least ten minutes; a
session opened with `alive` retries only while `alive()` says the server is there.
"""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from medallion.tooling.local.failure import READBACK_PHASE, server_lost
from tests.rendering import TEMPLATE_SRC, python_with_project

pytest.importorskip("pyspark.sql.connect.client.retries")
LIVES_S = 1.5


# In a fresh interpreter: pyspark refuses a remote session in a process that already runs a
# classic one (SESSION_ALREADY_EXIST), as an xdist worker may after the Spark-tier tests.
GIVE_UP = """
import socket, sys, time
from medallion.tooling.local.connect_server import Endpoint
from medallion.tooling.local.session import open_session
with socket.socket() as probe:  # a loopback port nothing listens on
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
started = time.monotonic()
try:
    open_session(Endpoint(f"sc://127.0.0.1:{port}"), "default", lambda: time.monotonic() - started < LIVES_S)
except Exception as error:
    print(round(time.monotonic() - started, 2), " ".join(str(error).split())[:600])
"""


def test_session_retries_while_the_server_lives_and_stops_once_it_is_gone() -> None:
    """The server "lives" for 1.5 s: the session keeps retrying that long (pyspark's backoff
    50 ms, 200 ms, 800 ms, 3.2 s, ...), then gives up at its next retry instead of ten minutes on."""
    script = f"LIVES_S = {LIVES_S}\n{GIVE_UP}"
    done = subprocess.run(
        [sys.executable, "-c", script],
        env=python_with_project(TEMPLATE_SRC.parent),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    elapsed, _, message = done.stdout.strip().partition(" ")
    assert re.search(r"UNAVAILABLE|failed to connect", message), done.stdout
    assert LIVES_S <= float(elapsed) < LIVES_S + 14, f"gave up after {elapsed} s"


def test_a_server_lost_in_the_readback_is_named_by_its_log() -> None:
    died = server_lost(50, "2g", ["ERROR SparkUncaughtExceptionHandler: Uncaught exception"], READBACK_PHASE)
    assert died.kind == "server_died" and died.cause.endswith(READBACK_PHASE)
    assert "exit" in died.cause or "50" in died.cause, died.cause
    oom = server_lost(None, "2g", ["java.lang.OutOfMemoryError: Java heap space"], READBACK_PHASE)
    assert oom.kind == "out_of_memory" and "--driver-memory 4g" in oom.fix
