"""run-local before and around Spark (no Spark started): sizing, the lock, --source, honest reports."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import yaml

from medallion.spec import load_spec
from medallion.tooling.local import runner
from medallion.tooling.local.config import spark_defaults, spark_environment
from medallion.tooling.local.connect_server import Endpoint
from medallion.tooling.local.failure import out_of_memory
from medallion.tooling.local.lock import LOCK_ENV, spark_lock
from medallion.tooling.local.pipeline import PipelineRun
from medallion.tooling.local.project import LocalProject
from medallion.tooling.local.remote_server import RemoteWatch
from medallion.tooling.local.resources import (
    CORES_ENV,
    MEMORY_ENV,
    ResourceError,
    default_memory,
    resolve,
)
from medallion.tooling.local.run_report import build_report, stopped_report
from medallion.tooling.local.run_report_text import format_report
from tests.rendering import python_with_project
from tests.support.local_run import copy_project, local_command

GIB = 1024**3


def test_driver_memory_and_cores_come_from_flag_then_env_then_machine() -> None:
    assert resolve("3g", 1, {MEMORY_ENV: "2g", CORES_ENV: "4"}).driver_memory == "3g"
    env = resolve(None, None, {MEMORY_ENV: "2g", CORES_ENV: "4"})
    assert (env.driver_memory, env.cores, env.memory_from, env.master) == ("2g", 4, MEMORY_ENV, "local[4]")
    machine = resolve(None, None, {})
    assert machine.memory_from == "machine" and machine.cores >= 1
    assert [default_memory(n * GIB) for n in (2, 16, 24, 64)] == ["1g", "4g", "6g", "8g"]
    assert default_memory(None) == "1g"


@pytest.mark.parametrize("bad", ["lots", "200m", "-1g"])
def test_bad_driver_memory_is_refused(bad: str) -> None:
    with pytest.raises(ResourceError):
        resolve(bad, None, {})


def test_driver_memory_reaches_spark_pipelines_through_its_environment(rendered_retail: Path) -> None:
    project = LocalProject(rendered_retail)
    resources = resolve("3g", 2, {})
    assert spark_environment(project, resources)["SPARK_DRIVER_MEMORY"] == "3g"
    defaults = spark_defaults(project, resources)
    assert defaults["spark.driver.memory"] == "3g" and defaults["spark.sql.shuffle.partitions"] == "4"
    assert "-XX:+ExitOnOutOfMemoryError" in defaults["spark.driver.extraJavaOptions"]


def test_a_wait_for_the_lock_is_announced_with_its_holder(tmp_path: Path) -> None:
    path = tmp_path / "spark.lock"
    said: list[str] = []
    got = threading.Event()

    def second() -> None:
        with spark_lock(path, announce=said.append):
            got.set()

    with spark_lock(path):
        thread = threading.Thread(target=second)
        thread.start()
        time.sleep(1.0)
        assert not got.is_set()
        assert said and f"pid {os.getpid()}" in said[0] and "waiting" in said[0]
    thread.join(5)
    assert got.is_set() and len(said) == 1 and len(said[0]) <= 100
    assert path.read_text() == ""  # released: no stale holder


def run_local_cli(project: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
    command, project_env = local_command(project, *args)
    return subprocess.Popen(
        command,
        cwd=project,
        env=env or project_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_nothing_is_written_before_the_lock(rendered_retail: Path, tmp_path: Path) -> None:
    """A run waiting for the lock has not touched .medallion/ (two runs cannot swap sources)."""
    project = copy_project(rendered_retail, tmp_path / "p")
    lock = tmp_path / "spark.lock"
    env = python_with_project(project) | {LOCK_ENV: str(lock)}
    with spark_lock(lock):
        waiting = run_local_cli(project, env=env)
        try:
            assert waiting.stderr is not None
            line = waiting.stderr.readline()
            assert "waiting for the local Spark lock" in line and f"pid {os.getpid()}" in line, line
            assert not (project / ".medallion").exists()
            assert not (project / "fixtures" / "sample").exists()
        finally:
            waiting.kill()
            waiting.communicate()


def test_lock_is_taken_before_the_pipeline_spec_is_written(
    rendered_retail: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = LocalProject(copy_project(rendered_retail, tmp_path / "p"))
    order: list[str] = []

    class Lock:
        def __enter__(self) -> None:
            order.append("lock" if not project.pipeline_spec.exists() else "lock after the spec")

        def __exit__(self, *_: object) -> None:
            order.append("unlock")

    def fake_run(spec: Path, *_: Any, **__: Any) -> PipelineRun:
        order.append("run " + yaml.safe_load(spec.read_text())["configuration"]["medallion.update_id"][:4])
        failure = out_of_memory("1g", "java.lang.OutOfMemoryError: Java heap space")
        return PipelineRun(137, 1.0, {"bronze_orders": "RUNNING"}, None, [], failure, True)

    @contextmanager
    def fake_server(*_: Any) -> Iterator[tuple[Endpoint, Any]]:
        order.append("server")  # no JVM in this tier: the run is cut short before any query
        yield Endpoint("sc://localhost:1", None, 1), RemoteWatch("127.0.0.1", 1)

    monkeypatch.setattr(runner, "spark_lock", Lock)
    monkeypatch.setattr(runner, "_server", fake_server)
    monkeypatch.setattr(runner, "run_pipeline", fake_run)
    report = runner.run_local(project, echo=lambda _: None, resources=resolve("1g", 1, {}))
    assert order[:2] == ["lock", "server"] and order[2].startswith("run ") and order[-1] == "unlock"
    assert report["status"] == "FAILED" and report["failure"]["kind"] == "out_of_memory"


def test_missing_source_folder_is_one_line_and_exit_2(rendered_retail: Path, tmp_path: Path) -> None:
    project = copy_project(rendered_retail, tmp_path / "p")
    started = time.monotonic()
    done = run_local_cli(project, "--source", str(tmp_path / "nope"))
    out, err = done.communicate(timeout=60)
    assert done.returncode == 2 and out == ""
    assert err.strip().count("\n") == 0 and "no such folder" in err and "<root>/<table>/" in err
    assert time.monotonic() - started < 30 and not (project / ".medallion").exists()
    (tmp_path / "raw" / "orders").mkdir(parents=True)
    partial = run_local_cli(project, "--source", str(tmp_path / "raw"))
    _, err = partial.communicate(timeout=60)
    assert partial.returncode == 2 and "no folder for customers, products" in err


def test_killed_run_report_shows_nothing_as_computed(rendered_retail: Path) -> None:
    spec = load_spec(rendered_retail / "medallion.yml")
    failure = out_of_memory("1g", "java.lang.OutOfMemoryError: Java heap space").as_dict()
    report = stopped_report(spec, flows={"bronze_orders": "RUNNING"}, failure=failure, errors=["x"])
    text = format_report(report)
    first = text.splitlines()[0]
    assert first.startswith("FAILED") and "ran out of memory" in first
    assert "--driver-memory 2g" in text.splitlines()[1]
    assert " yes" not in text and "passed on every row" not in text
    assert all(c["balanced"] is None for c in report["conservation"].values())
    assert report["tables"]["bronze_orders"]["flow"] == "RUNNING"
    assert text.splitlines()[-1].startswith("FAILED in")


class Frame:
    def __init__(self, rows: int) -> None:
        self.rows = rows

    def count(self) -> int:
        return self.rows


def test_failed_run_report_balances_only_what_completed(rendered_retail: Path) -> None:
    """Tables left from an earlier run are counted but never judged as this run's figures."""
    spec = load_spec(rendered_retail / "medallion.yml")
    flows = {"silver_customers_history": "FAILED"}
    report = build_report(
        None,
        spec,
        lambda name: Frame(0),
        flows=flows,
        pipeline_ok=False,
        errors=["flow silver_customers_history failed"],
        failure={"kind": "flow_failed", "cause": "flow silver_customers_history failed: boom", "fix": "f"},
    )
    assert report["status"] == "FAILED"
    assert report["tables"]["silver_customers_history"]["flow"] == "FAILED"
    assert report["tables"]["silver_orders"]["flow"] == "not run"
    assert report["tables"]["bronze_customers"]["rows"] == 0  # counted, but not this run's
    assert all(c["balanced"] is None for c in report["conservation"].values())
    assert report["duplicates"] == {} and report["rules"] == [] and "gold" not in report
    text = format_report(report)
    assert text.startswith("FAILED      flow silver_customers_history failed: boom")
    assert " yes" not in text and "passed on every row" not in text
