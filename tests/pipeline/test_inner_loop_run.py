"""The inner loop on the real engine: one warm server per project for the pipeline and its report,
--select, `medallion dev`, `medallion server` and the idle shutdown. (--remote on a server started
separately: every run of tests/pipeline/test_local_run.py goes to the session's shared server.)"""

from __future__ import annotations

import contextlib
import json
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.rendering import python_with_project
from tests.support.local_run import LocalRun, copy_project, medallion, run_local

pytestmark = pytest.mark.pipeline


def gone(pid: int, within_s: float) -> bool:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        if Path(f"/proc/{pid}/stat").read_text().rpartition(") ")[2].startswith("Z"):
            return True
        time.sleep(0.25)
    return False


@dataclass(frozen=True)
class Loop:
    project: Path
    cold: LocalRun
    warm: LocalRun


@pytest.fixture(scope="module")
def loop(rendered_retail: Path, tmp_path_factory: pytest.TempPathFactory) -> Any:
    project = copy_project(rendered_retail, tmp_path_factory.mktemp("loop") / "project")
    cold = run_local(project)
    warm = run_local(project)
    yield Loop(project, cold, warm)
    medallion(project, "server", "stop")


def test_second_run_reuses_the_warm_server_for_pipeline_and_report(loop: Loop) -> None:
    cold, warm = loop.cold.report, loop.warm.report
    assert cold["status"] == warm["status"] == "COMPLETED", loop.warm.output[-3000:]
    assert cold["server"]["kind"] == "project" and not cold["server"]["warm"]
    assert warm["server"]["warm"] and warm["server"]["url"] == cold["server"]["url"]
    assert "warm project server" in loop.warm.output
    rows = {name: info["rows"] for name, info in cold["tables"].items()}
    assert {name: info["rows"] for name, info in warm["tables"].items()} == rows
    assert warm["report_duration_s"] < warm["duration_s"]
    walls = f"cold {loop.cold.wall_s:.1f} s, warm {loop.warm.wall_s:.1f} s"
    print(f"{walls}, report {warm['report_duration_s']} s")


def test_select_refreshes_a_table_and_its_dependants_only(loop: Loop) -> None:
    run = run_local(loop.project, "--select", "silver_orders+")
    report = run.report
    assert report["status"] == "COMPLETED", run.output[-3000:]
    assert report["selection"] == [
        "silver_orders",
        "dim_date",
        "fact_sales",
        "agg_daily_sales",
        "quality_metrics",
    ]
    assert {n for n, s in report["flows"].items() if s == "COMPLETED"} == set(report["selection"])
    kept = {n for n, t in report["tables"].items() if t.get("refreshed") is False}
    assert kept == set(report["tables"]) - set(report["selection"])
    assert report["tables"]["bronze_orders"]["rows"] == loop.cold.report["tables"]["bronze_orders"]["rows"]
    assert "refreshed   silver_orders, dim_date, fact_sales, agg_daily_sales, quality_metrics" in run.output
    print(f"selective {run.wall_s:.1f} s, report {report['report_duration_s']} s")


def without_range_rule(project: Path) -> None:
    document = yaml.safe_load((project / "medallion.yml").read_text())
    rules = document["sources"]["orders"]["expectations"]
    document["sources"]["orders"]["expectations"] = [r for r in rules if r.get("use") != "range"]
    assert len(document["sources"]["orders"]["expectations"]) == len(rules) - 1
    (project / "medallion.yml").write_text(yaml.safe_dump(document, sort_keys=False))


def test_dev_reruns_a_rule_edit_and_prints_what_moved(loop: Loop) -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "medallion", "dev", "--runs", "2"],
        cwd=loop.project,
        env=python_with_project(loop.project),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines: list[str] = []
    try:
        for line in process.stdout:
            lines.append(line)
            if "since the previous run" in line:
                break
        time.sleep(1.0)
        edited_at = time.monotonic()
        without_range_rule(loop.project)
        lines += list(process.stdout)
        assert process.wait(timeout=300) == 0, "".join(lines)
    finally:
        process.kill()
    output = "".join(lines)
    assert "-- rerun: silver_orders_history+, quarantine_orders+ (orders: rules or keys)" in output, output
    assert "  rows       quarantine_orders: 6 -> " in output, output
    assert "  rows       silver_orders_history: 311 -> " in output, output
    assert "  failed     silver_orders_history.range_quantity: 2 -> None" in output, output
    assert output.count("-- COMPLETED") == 2, output
    print(f"rule edit to second report: {time.monotonic() - edited_at:.1f} s")


def test_server_status_and_stop(loop: Loop) -> None:
    status = medallion(loop.project, "server", "status")
    assert status.returncode == 0 and status.stdout.startswith("running: pid "), status.stdout
    pid = int(status.stdout.split()[2].rstrip(","))
    stopped = medallion(loop.project, "server", "stop")
    assert stopped.returncode == 0 and f"pid {pid}" in stopped.stdout
    assert gone(pid, within_s=5)
    assert medallion(loop.project, "server", "status").stdout.startswith("not running")


STARTS = """
import json
from pathlib import Path
from medallion.tooling.local.project import LocalProject
from medallion.tooling.local.resources import resolve
from medallion.tooling.local.connect_server import serving
project, resources = LocalProject(Path.cwd()), resolve()
with serving(project, resources) as first:
    pass
with serving(project, resources, cold=True) as second:
    pass
print(json.dumps([first.pid, second.pid, second.warm]))
"""


def test_cold_restarts_and_idle_shutdown_stops_the_jvm(rendered_retail: Path, tmp_path: Path) -> None:
    project = copy_project(rendered_retail, tmp_path / "project")
    env = python_with_project(project) | {"MEDALLION_SERVER_IDLE": "3"}
    done = subprocess.run(
        [sys.executable, "-c", STARTS], cwd=project, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    first, second, warm = json.loads(done.stdout.strip().splitlines()[-1])
    assert first != second and not warm
    assert gone(first, within_s=1)
    assert gone(second, within_s=20), "the idle server's JVM is still running"
    # the supervisor reaps the JVM, then writes why it ended: a moment after the JVM is gone.
    # Until then exit.json may still hold the first server's end (stopped by the cold restart).
    exit_file = project / ".medallion" / "server" / "exit.json"
    deadline = time.monotonic() + 10
    reason = None
    while reason != "idle" and time.monotonic() < deadline:
        with contextlib.suppress(OSError, ValueError):
            reason = json.loads(exit_file.read_text())["reason"]
        time.sleep(0.1)
    assert reason == "idle", f"exit.json: {reason}"
