"""Real local runs that go wrong end fast, name the cause, and report honestly.

Four short runs on the retail sample (no gold): the Spark Connect server is killed mid-run, and
again while the report reads the tables back; the driver runs out of heap (512m and one 400 MB
JSON line); a `fail` rule stops a flow. The first three need the project's own server (killed,
or with a 512m heap); the fourth runs on the session's shared server.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.pipeline.specs import retail_document
from tests.support.connect_server import ConnectServer
from tests.support.local_run import copy_project, local_command

pytestmark = pytest.mark.pipeline
STOP_WITHIN_S = 30


@dataclass(frozen=True)
class Ended:
    returncode: int
    output: str
    report: dict[str, Any]
    seconds_after_kill: float | None = None


def start(
    project: Path, *args: str, server: ConnectServer | None = None
) -> tuple[subprocess.Popen[str], Path]:
    report = project / ".." / f"report-{time.monotonic_ns()}.json"
    command, env = local_command(project, *args, server=server, report=report)
    process = subprocess.Popen(
        command,
        cwd=project,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    return process, report


def finish(process: subprocess.Popen[str], report: Path, output: list[str], killed_at: float | None) -> Ended:
    """Wait for the run's end (a minute after a kill, else ten): a run that hangs is stopped and
    fails the test instead of holding the suite."""
    assert process.stdout is not None
    rest = threading.Thread(target=lambda: output.extend(process.stdout or ()), daemon=True)
    rest.start()
    rest.join(timeout=600 if killed_at is None else 60)
    if rest.is_alive():
        process.kill()
        pytest.fail(f"run-local did not end (killed now); its output:\n{''.join(output)[-4000:]}")
    returncode = process.wait(timeout=60)
    seconds = None if killed_at is None else time.monotonic() - killed_at
    data = json.loads(report.read_text()) if report.exists() else {}
    return Ended(returncode, "".join(output), data, seconds)


def connect_server(project: Path) -> int | None:
    """The JVM of the project's Spark Connect server (medallion.tooling.local.connect_server records it)."""
    try:
        return int(json.loads((project / ".medallion" / "server" / "server.json").read_text())["pid"])
    except (OSError, ValueError, KeyError):
        return None


def retail_project(rendered: Path, target: Path, **changes: Any) -> Path:
    project = copy_project(rendered, target)
    document = retail_document(project)
    document.pop("gold", None)
    document.update(changes)
    (project / "medallion.yml").write_text(yaml.safe_dump(document, sort_keys=False))
    return project


@pytest.fixture(scope="module")
def killed_run(rendered_retail: Path, tmp_path_factory: pytest.TempPathFactory) -> Ended:
    project = retail_project(rendered_retail, tmp_path_factory.mktemp("killed") / "project")
    process, report = start(project)
    assert process.stdout is not None
    output: list[str] = []
    killed_at = None
    for line in process.stdout:
        output.append(line)
        # the first layer done (run-local's progress off a terminal): silver is still to run
        server = connect_server(project) if " done (" in line else None
        if server is not None:
            os.kill(server, signal.SIGKILL)
            killed_at = time.monotonic()
            break
    assert killed_at is not None, "".join(output)
    return finish(process, report, output, killed_at)


def test_killed_server_ends_the_run_within_seconds(killed_run: Ended) -> None:
    assert killed_run.returncode == 1, killed_run.output
    assert killed_run.seconds_after_kill is not None and killed_run.seconds_after_kill < STOP_WITHIN_S
    print(f"run-local ended {killed_run.seconds_after_kill:.1f} s after the Connect server was killed")
    failure = killed_run.report["failure"]
    assert failure["kind"] == "server_died" and "while the pipeline was running" in failure["cause"]
    assert "the local Spark server" in killed_run.output


@pytest.fixture(scope="module")
def killed_in_readback(rendered_retail: Path, tmp_path_factory: pytest.TempPathFactory) -> Ended:
    """The server is killed a moment after the update completed, while the report reads the
    tables back (a cold server's read-back takes seconds; the kill comes 1 s after the log's
    `Run is COMPLETED`)."""
    project = retail_project(rendered_retail, tmp_path_factory.mktemp("killed_readback") / "project")
    process, report = start(project)
    assert process.stdout is not None
    output: list[str] = []
    layers = 0
    for line in process.stdout:
        output.append(line)
        layers += " done (" in line  # run-local's progress off a terminal: one line per layer
        if layers == READBACK_LAYERS:
            break
    log = project / ".medallion" / "pipeline.log"
    deadline = time.monotonic() + STOP_WITHIN_S
    while "Run is COMPLETED" not in log.read_text() and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(1.0)
    server = connect_server(project)
    assert server is not None, "".join(output)
    os.kill(server, signal.SIGKILL)
    return finish(process, report, output, time.monotonic())


READBACK_LAYERS = 3  # no gold: bronze, silver history and quarantine, silver


def test_server_killed_during_the_readback_ends_the_run_within_seconds(killed_in_readback: Ended) -> None:
    """pyspark's Connect client retries an unavailable server for ten minutes: the report's
    session stops retrying once the server is gone, and the report says what happened."""
    run = killed_in_readback
    assert run.returncode == 1, run.output
    assert run.seconds_after_kill is not None and run.seconds_after_kill < STOP_WITHIN_S, run.output
    print(f"run-local ended {run.seconds_after_kill:.1f} s after the server was killed in the read-back")
    report = run.report
    assert set(report["flows"].values()) == {"COMPLETED"}, report["flows"]
    failure = report["failure"]
    assert failure["kind"] == "server_died" and "before its tables were all read back" in failure["cause"]
    assert all(t["rows"] is None for t in report["tables"].values()) and report["rules"] == []


def test_killed_run_report_says_so_and_computes_nothing(killed_run: Ended) -> None:
    report = killed_run.report
    assert report["status"] == "FAILED"
    assert all(c["balanced"] is None for c in report["conservation"].values())
    assert report["rules"] == [] and all(t["rows"] is None for t in report["tables"].values())
    report_text = killed_run.output[killed_run.output.index("FAILED ") :]
    assert " yes" not in report_text and "passed on every row" not in report_text


@pytest.fixture(scope="module")
def oom_run(rendered_retail: Path, tmp_path_factory: pytest.TempPathFactory) -> Ended:
    """One customer record of 400 MB (a single JSON line) with a 512m driver."""
    project = retail_project(rendered_retail, tmp_path_factory.mktemp("oom") / "project")
    root = project / "raw"
    for table in ("customers", "products", "orders"):
        (root / table).mkdir(parents=True)
    with (root / "customers" / "huge.json").open("w") as handle:
        handle.write('{"customer_id": "C1", "name": "')
        chunk = "x" * (1 << 20)
        for _ in range(400):
            handle.write(chunk)
        handle.write('"}\n')
    (root / "products" / "p.json").write_text('{"product_id": "P1"}\n')
    (root / "orders" / "o.json").write_text('{"order_id": "O1", "line_number": 1}\n')
    process, report = start(project, "--source", str(root), "--driver-memory", "512m")
    try:
        return finish(process, report, [], None)
    finally:
        (root / "customers" / "huge.json").unlink()


def test_out_of_memory_ends_fast_and_names_the_fix(oom_run: Ended) -> None:
    assert oom_run.returncode == 1, oom_run.output
    failure = oom_run.report["failure"]
    assert failure["kind"] == "out_of_memory", oom_run.output
    assert "512m heap" in failure["cause"] and "--driver-memory 1024m" in failure["fix"]
    assert oom_run.report["pipeline_duration_s"] < 120
    print(f"out of memory: the pipeline process ended after {oom_run.report['pipeline_duration_s']} s")
    first_report_line = next(line for line in oom_run.output.splitlines() if line.startswith("FAILED "))
    assert "ran out of memory" in first_report_line


@pytest.fixture(scope="module")
def failed_flow_run(
    rendered_retail: Path, tmp_path_factory: pytest.TempPathFactory, shared_server: ConnectServer
) -> Ended:
    """A `fail` rule stops a flow (on the shared server: nothing here needs a server of its own)."""
    project = retail_project(rendered_retail, tmp_path_factory.mktemp("failed_flow") / "project")
    document = retail_document(project)
    document["sources"]["orders"]["expectations"].append(
        {"name": "no_big_orders", "rule": "quantity < 3", "action": "fail"}
    )
    (project / "medallion.yml").write_text(yaml.safe_dump(document, sort_keys=False))
    process, report = start(project, server=shared_server)
    return finish(process, report, [], None)


def test_failed_flow_names_its_table_and_error(failed_flow_run: Ended) -> None:
    assert failed_flow_run.returncode == 1, failed_flow_run.output
    report = failed_flow_run.report
    failure = report["failure"]
    assert failure["kind"] == "flow_failed", failed_flow_run.output
    assert failure["table"] == "silver_orders_history" and failure.get("detail"), failure
    assert report["conservation"]["orders"]["balanced"] is None
    assert all(c["balanced"] is not False for c in report["conservation"].values())
    first_report_line = next(
        line for line in failed_flow_run.output.splitlines() if line.startswith("FAILED ")
    )
    assert "silver_orders_history" in first_report_line
