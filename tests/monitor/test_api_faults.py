"""API faults against `medallion monitor`, on the real clock: each row is one fault the fake
serves, the exit code it must give, and the wall time it may take (the deadline + 10 s at
most). `--timeout` is a deadline over everything; transient faults are retried
within it; authentication and malformed answers are exit 2, never a traceback.

The two "Done when" cases (`--timeout 10` against a hanging or 503-forever API exits 3
within 20 s) run the command as a separate process.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from databricks.sdk.clock import RealClock

from medallion.monitor import connect
from tests.monitor.conftest import SPEC, monitor
from tests.rendering import TEMPLATE_SRC
from tests.support.fake_databricks import TOKEN, FakeServer, FakeWorkspace, Fault

UPDATE_ID = "7c1e0b52-5d1e-4f7a-9c3b-000000000001"
PIPELINE = r"^/api/2\.0/pipelines/[^/]+$"
UPDATES = r"^/api/2\.0/pipelines/[^/]+/updates$"
EVENTS = r"^/api/2\.0/pipelines/[^/]+/events$"
STATEMENTS = r"^/api/2\.0/sql/statements/?$"
HTML_502 = (
    "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1>"
    "</center><hr><center>nginx</center></body></html>"
)
UNAVAILABLE = Fault(503, "TEMPORARILY_UNAVAILABLE", "The service is temporarily unavailable.")


@dataclass(frozen=True)
class Case:
    """One fault: where, what, how often; the outcome and the time it may take."""

    name: str
    method: str
    path: str
    fault: Fault
    code: int
    says: str
    timeout: float = 4.0
    times: int = 1
    forever: bool = False
    setup: Callable[[FakeWorkspace], None] | None = None
    at_least_s: float = 0.0
    extra: list[str] = field(default_factory=list)


def _slow_statements(ws: FakeWorkspace) -> None:
    ws.sql.runtime_s = 1e9


CASES = [
    Case(
        "429 with a negative Retry-After, then success",
        "GET",
        PIPELINE,
        Fault(429, "REQUEST_LIMIT_EXCEEDED", "Too many requests.", retry_after=-5),
        0,
        "",
    ),
    Case("an empty 200 body once, then success", "GET", PIPELINE, Fault(200, "", "", body=""), 0, ""),
    Case("an empty 200 body on the updates once", "GET", UPDATES, Fault(200, "", "", body=""), 0, ""),
    Case(
        "an empty 200 body forever",
        "GET",
        PIPELINE,
        Fault(200, "", "", body=""),
        2,
        "answered without pipeline_id or spec (not a pipeline)",
        forever=True,
    ),
    Case(
        "GET pipeline hangs", "GET", PIPELINE, Fault(0, "", "", hang=True), 3, "did not answer", forever=True
    ),
    Case("503 forever", "GET", PIPELINE, UNAVAILABLE, 3, "the --timeout of 4 s ran out", forever=True),
    Case(
        "429 with Retry-After 3600",
        "GET",
        PIPELINE,
        Fault(429, "REQUEST_LIMIT_EXCEEDED", "Too many requests.", retry_after=3600),
        3,
        "the next try would be in 360",  # 3600 s plus the SDK's jitter of up to a second
        timeout=30,
    ),
    Case(
        "a single 500, then success", "GET", PIPELINE, Fault(500, "INTERNAL_ERROR", "Internal error."), 0, ""
    ),
    Case(
        "502 with an HTML body, then success",
        "GET",
        UPDATES,
        Fault(502, "", "", body=HTML_502, content_type="text/html"),
        0,
        "BAD_GATEWAY",
    ),
    Case(
        "502 with an HTML body forever",
        "GET",
        PIPELINE,
        Fault(502, "", "", body=HTML_502, content_type="text/html"),
        3,
        "kept failing (last: BAD_GATEWAY",
        forever=True,
    ),
    Case("504 with no body, then success", "GET", EVENTS, Fault(504, "", "", body=""), 0, ""),
    Case(
        "502 with no body, then success",
        "GET",
        UPDATES,
        Fault(502, "", "", body=""),
        0,
        "HTTP Bad Gateway with an empty body; retrying in 1 s",
    ),
    Case(
        "connection reset twice, then success",
        "GET",
        PIPELINE,
        Fault(0, "", "", reset=True),
        0,
        "",
        timeout=10,  # the SDK's own back-off after a reset: 1 s, then 2 s (plus jitter)
        times=2,
    ),
    Case(
        "connection reset forever", "GET", UPDATES, Fault(0, "", "", reset=True), 3, "ran out", forever=True
    ),
    Case(
        "malformed JSON body, then success",
        "GET",
        PIPELINE,
        Fault(200, "", "", body='{"pipeline_id": '),
        0,
        "",
    ),
    Case(
        "malformed JSON body forever",
        "GET",
        UPDATES,
        Fault(200, "", "", body="<!doctype html><p>Sign in"),
        3,
        "kept failing (last: an answer that is not JSON)",
        forever=True,
    ),
    Case(
        "a JSON list where the pipeline should be",
        "GET",
        PIPELINE,
        Fault(200, "", "", body="[]"),
        2,
        "GET /api/2.0/pipelines/0f2b6a2e-1c9d-4c52-9a0e-5c1d7f3e9a01 answered in a shape",
        forever=True,
    ),
    Case(
        "updates of the wrong shape",
        "GET",
        UPDATES,
        Fault(200, "", "", body='{"updates": "none"}'),
        2,
        "/updates answered in a shape",
        forever=True,
    ),
    Case(
        "a statement poll that never finishes",
        "GET",
        r"^/never$",
        Fault(0, "", ""),
        3,
        "was still RUNNING (cancelled)",
        setup=_slow_statements,
        at_least_s=3.0,
    ),
    Case(
        "statement submit hangs",
        "POST",
        STATEMENTS,
        Fault(0, "", "", hang=True),
        3,
        "POST /api/2.0/sql/statements (warehouse wh-1) did not answer",
        forever=True,
    ),
    Case(
        "401",
        "GET",
        PIPELINE,
        Fault(401, "UNAUTHENTICATED", "Invalid access token. [ReqId: 1]"),
        2,
        "Invalid access token",
        forever=True,
    ),
    Case(
        "403",
        "GET",
        PIPELINE,
        Fault(403, "PERMISSION_DENIED", "User does not have VIEW permission on pipeline."),
        2,
        "cannot read pipeline",
        forever=True,
    ),
    Case(
        "events hang once, the next try answers",
        "GET",
        EVENTS,
        Fault(0, "", "", hang=True, hang_s=1.0),
        0,
        "",
        timeout=20,
    ),
]


@pytest.fixture
def live(workspace: FakeWorkspace, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[FakeServer]:
    """The fake over HTTP with the real clock: every wait here is real time."""
    monkeypatch.setattr(connect, "make_clock", RealClock)
    workspace.add_update("API_CALL", ["COMPLETED"], update_id=UPDATE_ID, start_tick=0)
    with FakeServer(workspace) as running:
        for name in ("DATABRICKS_CLIENT_ID", "DATABRICKS_CLIENT_SECRET", "DATABRICKS_CONFIG_PROFILE"):
            monkeypatch.delenv(name, raising=False)
        monkeypatch.setenv("DATABRICKS_HOST", running.url)
        monkeypatch.setenv("DATABRICKS_TOKEN", TOKEN)
        monkeypatch.setenv("DATABRICKS_CONFIG_FILE", str(tmp_path / "no.databrickscfg"))
        yield running


def judge_args(workspace: FakeWorkspace, timeout: float) -> list[str]:
    return [
        "--pipeline-id",
        workspace.pipeline_id,
        "--warehouse-id",
        "wh-1",
        "--update-id",
        UPDATE_ID,
        "--poll-interval",
        "1",
        "--timeout",
        f"{timeout:g}",
    ]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_api_fault(
    live: FakeServer, workspace: FakeWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture, case: Case
) -> None:
    workspace.fail(case.method, case.path, case.fault, times=case.times, forever=case.forever)
    if case.setup:
        case.setup(workspace)
    started = time.monotonic()
    code, report = monitor(tmp_path, *judge_args(workspace, case.timeout), *case.extra)
    took = time.monotonic() - started
    err = capsys.readouterr().err
    assert code == case.code, err
    assert case.says in err
    assert "Traceback" not in err
    assert case.at_least_s <= took <= case.timeout + 10, f"{case.name}: {took:.1f} s"
    if case.code == 3 and not report:
        cause = [line for line in err.splitlines() if line.startswith("monitor: timeout: ")]
        assert len(cause) == 1, err
    if case.code == 0:
        assert report is not None and report["verdict"] == "SUCCESS"
    print(f"{case.name}: exit {code} in {took:.1f} s")  # the tally (pytest -s)


def test_a_statement_given_up_at_the_deadline_is_cancelled(
    live: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    workspace.sql.runtime_s = 1e9
    code, _ = monitor(tmp_path, *judge_args(workspace, 3))
    assert code == 3
    assert any(path.endswith("/cancel") for _, path, _ in workspace.requests)


def test_a_transient_fault_is_announced_on_one_line(
    live: FakeServer, workspace: FakeWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    workspace.fail("GET", PIPELINE, Fault(500, "INTERNAL_ERROR", "Internal error."))
    code, _ = monitor(tmp_path, *judge_args(workspace, 10))
    assert code == 0
    retried = [line for line in capsys.readouterr().err.splitlines() if "retrying in" in line]
    assert retried == [
        f"GET /api/2.0/pipelines/{workspace.pipeline_id}: InternalError: Internal error.; "
        "retrying in 1 s (try 2)"
    ]


def _run_monitor_process(live: FakeServer, workspace: FakeWorkspace, timeout: int) -> tuple[int, str, float]:
    env = {
        **os.environ,
        "PYTHONPATH": str(TEMPLATE_SRC),
        "DATABRICKS_HOST": live.url,
        "DATABRICKS_TOKEN": TOKEN,
    }
    args = judge_args(workspace, timeout)
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "medallion", "monitor", "--spec", str(SPEC), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    return done.returncode, done.stderr, time.monotonic() - started


@pytest.mark.parametrize(
    "fault", [Fault(0, "", "", hang=True), UNAVAILABLE], ids=["hanging API", "503 forever"]
)
def test_done_when_timeout_10_exits_3_within_20_s(
    live: FakeServer, workspace: FakeWorkspace, fault: Fault
) -> None:
    workspace.fail("GET", PIPELINE, fault, forever=True)
    code, err, took = _run_monitor_process(live, workspace, 10)
    assert code == 3, err
    assert took <= 20, took
    lines = err.strip().splitlines()
    assert lines[-1].startswith("monitor: timeout: GET /api/2.0/pipelines/"), err
    assert "Traceback" not in err
