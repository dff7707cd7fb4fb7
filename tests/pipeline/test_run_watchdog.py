"""The run-local watchdog against a stand-in `spark-pipelines` (no Spark, a few seconds each).

The stand-in is a shell script on PATH that behaves like the real process group: it starts a
"server" (a copy of `sleep` named `java`), prints flow lines, and then misbehaves the way the
real one did: its server dies and it waits forever, it prints an OutOfMemoryError and hangs, a
flow fails, or it exits while a child keeps its output open.
"""

from __future__ import annotations

import io
import os
import shutil
import signal
import stat
import threading
import time
from pathlib import Path

import pytest

from medallion.tooling.local import pipeline
from medallion.tooling.local.failure import first_error_line
from medallion.tooling.local.pipeline import PipelineRun, run_pipeline
from medallion.tooling.local.progress import FlowProgress, LiveLine

FLOW = "2026-11-30 01:00:00: Flow spark_catalog.default.bronze_orders is RUNNING."
SCRIPTS = {
    # the server dies (killed by the test); the client waits on it forever
    "server_dies": f'java 300 &\necho "{FLOW}"\nwait\nsleep 600\n',
    # the server runs out of heap; nothing exits by itself
    "oom": f'java 300 &\necho "{FLOW}"\n'
    'echo "Terminating due to java.lang.OutOfMemoryError: Java heap space"\nsleep 600\n',
    # a flow fails and the run ends by itself with an error
    "flow_fails": (
        f'echo "{FLOW}"\n'
        'echo "2026-11-30 01:00:01: Flow spark_catalog.default.silver_orders_history has FAILED."\n'
        'echo "Traceback (most recent call last):"\n'
        'echo "  File \\"x.py\\", line 1"\n'
        'echo "pyspark.errors.exceptions.connect.SparkRuntimeException: [USER_RAISED_EXCEPTION] '
        'fail rule qty_small on silver_orders_history SQLSTATE: P0001"\n'
        'echo "\tat org.apache.spark.Foo.bar(Foo.scala:1)"\n'
        'echo "2026-11-30 01:00:02: Run is FAILED."\nexit 1\n'
    ),
    # the launcher exits but something it started keeps the output open
    "stalls": f'echo "{FLOW}"\n(sleep 600) &\nexit 0\n',
    "completes": f'java 2 &\necho "{FLOW}"\necho "2026-11-30 01:00:03: Run is COMPLETED."\nwait\n',
}


def fake_env(tmp_path: Path, behaviour: str) -> dict[str, str]:
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    sleep = shutil.which("sleep")
    assert sleep is not None
    shutil.copy(sleep, bin_dir / "java")  # the watchdog knows the server by its name: java
    script = bin_dir / "spark-pipelines"
    script.write_text("#!/bin/bash\n" + SCRIPTS[behaviour])
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    return {"PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}", "SPARK_DRIVER_MEMORY": "1g"}


def run(tmp_path: Path, behaviour: str) -> tuple[PipelineRun, float]:
    env = fake_env(tmp_path, behaviour)
    spec = tmp_path / "spark-pipeline.yml"
    spec.write_text("name: x\n")
    started = time.monotonic()
    result = run_pipeline(spec, env, tmp_path / "pipeline.log", echo=lambda _: None)
    return result, time.monotonic() - started


def kill_java_when_seen(tmp_path: Path) -> threading.Thread:
    """Kill the stand-in server as soon as it runs (like `kill -9` on the Connect server)."""

    def killer() -> None:
        for _ in range(200):
            for pid_dir in Path("/proc").iterdir():
                if pid_dir.name.isdigit():
                    try:
                        exe = os.readlink(pid_dir / "exe")
                    except OSError:
                        continue
                    if exe == str(tmp_path / "bin" / "java"):
                        time.sleep(1.5)  # let the watchdog see it alive first
                        os.kill(int(pid_dir.name), signal.SIGKILL)
                        return
            time.sleep(0.1)

    thread = threading.Thread(target=killer, daemon=True)
    thread.start()
    return thread


@pytest.mark.skipif(not Path("/proc").is_dir(), reason="the killer finds the server through /proc")
def test_dead_server_stops_the_run_within_seconds(tmp_path: Path) -> None:
    kill_java_when_seen(tmp_path)
    result, seconds = run(tmp_path, "server_dies")
    assert result.failure is not None and result.failure.kind == "server_died", result
    assert "while the pipeline was running" in result.failure.cause
    assert result.stopped and not result.ok and result.server_lost
    assert seconds < 15


def test_out_of_memory_is_named_with_the_fix(tmp_path: Path) -> None:
    result, seconds = run(tmp_path, "oom")
    assert result.failure is not None and result.failure.kind == "out_of_memory"
    assert "Java heap space" in result.failure.cause and "1g heap" in result.failure.cause
    assert "--driver-memory 2g" in result.failure.fix and "MEDALLION_DRIVER_MEMORY=2g" in result.failure.fix
    assert seconds < 10 and result.stopped


def test_failed_flow_names_the_table_and_the_first_error_line(tmp_path: Path) -> None:
    result, seconds = run(tmp_path, "flow_fails")
    assert result.failure is not None and result.failure.kind == "flow_failed"
    assert result.failure.table == "silver_orders_history"
    assert result.failure.detail is not None and result.failure.detail.startswith(
        "pyspark.errors.exceptions.connect.SparkRuntimeException: [USER_RAISED_EXCEPTION] fail rule qty_small"
    )
    assert not result.stopped and result.returncode == 1 and seconds < 5


def test_launcher_gone_but_output_open_is_stopped(tmp_path: Path) -> None:
    result, seconds = run(tmp_path, "stalls")
    assert result.failure is not None and result.failure.kind == "stalled"
    assert seconds < pipeline.EXIT_GRACE_S + pipeline.KILL_GRACE_S + 3


def test_a_run_that_completes_is_left_alone(tmp_path: Path) -> None:
    result, _ = run(tmp_path, "completes")
    assert result.ok and result.failure is None and not result.stopped
    # the fake prints only RUNNING for its flow: the run's COMPLETED settles it
    assert result.flows == {"bronze_orders": "COMPLETED"} and result.run_state == "COMPLETED"


def test_flow_states_as_the_engine_prints_them() -> None:
    """OSS prints COMPLETED just before a failure, quotes failed and skipped flows, and retries."""
    progress = FlowProgress(echo=lambda _: None)
    for line in [
        "2026-11-30 01:02:05: Flow spark_catalog.default.silver_orders_history is RUNNING.",
        "2026-11-30 01:02:07: Flow spark_catalog.default.silver_orders_history has COMPLETED.",
        "01:02:07 ERROR X: Flow `spark_catalog`.`default`.`silver_orders_history` failed",
        "2026-11-30 01:02:07: Flow 'spark_catalog.default.silver_orders_history' has FAILED.",
        "01:02:25: Flow 'spark_catalog.default.silver_orders_history' has FAILED more than 2 times.",
        "2026-11-30 01:02:25: Flow 'spark_catalog.default.silver_orders' SKIPPED due to upstream failure(s).",
    ]:
        progress.feed(line)
    assert progress.flows == {"silver_orders_history": "FAILED", "silver_orders": "SKIPPED"}
    assert progress.failed_flows == ["silver_orders_history"]


def test_a_failed_flow_stays_failed_when_its_completed_line_comes_last() -> None:
    """The last attempt's two lines as the engine printed them in a CI run (00:13:54): FAILED,
    then COMPLETED, then no run line (the client raised). A retry that completes still counts."""
    progress = FlowProgress(echo=lambda _: None)
    for line in [
        "00:13:53: Flow spark_catalog.t.silver_orders_history is STARTING.",
        "00:13:53: Flow spark_catalog.t.silver_orders_history is RUNNING.",
        "00:13:54: Flow 'spark_catalog.t.silver_orders_history' has FAILED more than 2 times"
        " and will not be restarted.",
        "00:13:54: Flow spark_catalog.t.silver_orders_history has COMPLETED.",
    ]:
        progress.feed(line)
    assert progress.failed_flows == ["silver_orders_history"]
    assert progress.final_flows() == {"silver_orders_history": "FAILED"}
    for line in [
        "00:14:00: Flow spark_catalog.t.silver_orders_history is STARTING.",
        "00:14:00: Flow spark_catalog.t.silver_orders_history is RUNNING.",
        "00:14:01: Flow spark_catalog.t.silver_orders_history has COMPLETED.",
    ]:
        progress.feed(line)
    assert progress.flows == {"silver_orders_history": "COMPLETED"} and not progress.failed_flows


def test_first_error_line_skips_frames_and_prefixes() -> None:
    lines = [
        "01:00:00 WARN GraphExecution: flow failed",
        "\tat org.apache.spark.X.y(X.scala:1)",
        "01:00:01 ERROR Foo: org.apache.spark.SparkException: [TASK_WRITE_FAILED] Task failed",
    ]
    assert first_error_line(lines) == "org.apache.spark.SparkException: [TASK_WRITE_FAILED] Task failed"


def test_flow_progress_folds_into_one_live_line() -> None:
    screen = io.StringIO()
    echoed: list[str] = []
    progress = FlowProgress(echo=echoed.append, live=LiveLine(screen))
    for name, state in [("bronze_a", "RUNNING"), ("bronze_b", "RUNNING"), ("bronze_a", "COMPLETED")]:
        progress.feed(f"2026-11-30 01:00:00: Flow spark_catalog.default.{name} is {state}.")
    progress.feed("2026-11-30 01:00:01: Flow 'spark_catalog.default.bronze_b' has FAILED.")
    progress.finish()
    text = screen.getvalue()
    assert echoed == [] and text.count("\n") == 1 and text.count("\r") == 5
    assert "flows 1/2 completed; now: bronze_b" in text
    assert text.rstrip("\n").rsplit("\r", 1)[-1].strip().endswith("flows 1/2 completed, 1 failed")
