"""The inner loop's parts without Spark: --select and its dependants, what `medallion dev` reruns
and prints, --remote URLs, the supervisor's idle shutdown and the watchdog on a separate server."""

from __future__ import annotations

import fcntl
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

import medallion
from medallion.spec import load_spec
from medallion.spec.model import Spec
from medallion.tooling.local.changes import differences, plan
from medallion.tooling.local.pipeline import run_pipeline
from medallion.tooling.local.remote_server import RemoteError, parse_remote
from medallion.tooling.local.selection import SelectionError, select
from tests.pipeline.specs import retail_document

HELPERS = Path(medallion.__file__).resolve().parents[1]


def retail(default_project: Path) -> Spec:
    return load_spec(default_project / "medallion.yml")


def edited(default_project: Path, tmp_path: Path, change: dict[str, Any]) -> Spec:
    document = retail_document(default_project)
    orders = document["sources"]["orders"]
    orders.update(change)
    path = tmp_path / "medallion.yml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return load_spec(path)


def test_select_plus_takes_every_dependant(default_project: Path) -> None:
    spec = retail(default_project)
    assert select(spec, ["silver_orders+"]).tables == (
        "silver_orders",
        "dim_date",
        "fact_sales",
        "agg_daily_sales",
        "quality_metrics",
    )
    customers = set(select(spec, ["bronze_customers+"]).tables)
    assert {"silver_customers_history", "quarantine_customers", "dim_customer", "fact_sales"} <= customers
    assert "bronze_orders" not in customers and "dim_product" not in customers
    assert select(spec, ["silver_orders"]).cli_args(False) == ["--refresh", "silver_orders"]
    assert select(spec, ["silver_orders"]).cli_args(True) == ["--full-refresh", "silver_orders"]
    everything = select(spec, [])
    assert everything.everything and everything.cli_args(True) == ["--full-refresh-all"]
    assert everything.cli_args(False) == []


def test_select_of_an_unknown_table_names_the_tables(default_project: Path) -> None:
    with pytest.raises(SelectionError, match=r"no table 'silver_order'.*silver_orders"):
        select(retail(default_project), ["silver_order+"])


def test_a_rule_edit_reruns_silver_history_and_quarantine_from_scratch(
    default_project: Path, tmp_path: Path
) -> None:
    before = retail(default_project)
    rules = [*before.source("orders").expectations]
    document_rules = retail_document(default_project)["sources"]["orders"]["expectations"]
    after = edited(default_project, tmp_path, {"expectations": document_rules[:-1]})
    assert len(after.source("orders").expectations) == len(rules) - 1
    step = plan(before, after)
    assert step.select == ("silver_orders_history+", "quarantine_orders+") and step.full_refresh
    assert "orders: rules or keys" in step.why


def test_a_column_edit_reruns_from_bronze_and_a_description_reruns_nothing(
    default_project: Path, tmp_path: Path
) -> None:
    before = retail(default_project)
    columns = dict(retail_document(default_project)["sources"]["orders"]["columns"])
    columns["channel"] = "string"
    assert plan(before, edited(default_project, tmp_path, {"columns": columns})).select == ("bronze_orders+",)
    quiet = plan(before, edited(default_project, tmp_path, {"description": "other words"}))
    assert quiet.select == () and quiet.why == "no table definition changed"
    assert plan(before, before, code_changed=True).why == "code under src/ changed"


def test_differences_name_what_moved() -> None:
    before = {
        "status": "COMPLETED",
        "tables": {"silver_orders": {"rows": 308}, "quarantine_orders": {"rows": 6}},
        "rules": [{"table": "silver_orders_history", "rule": "range_quantity", "failed": 2}],
        "quarantine_reasons": {"quarantine_orders": [{"rule": "range_quantity", "rows": 2}]},
    }
    after = {
        "status": "COMPLETED",
        "tables": {"silver_orders": {"rows": 310}, "quarantine_orders": {"rows": 4}},
        "rules": [],
        "quarantine_reasons": {"quarantine_orders": []},
    }
    lines = differences(before, after)
    assert "  rows       silver_orders: 308 -> 310 (+2)" in lines
    assert "  rows       quarantine_orders: 6 -> 4 (-2)" in lines
    assert any("silver_orders_history.range_quantity: 2 -> None" in line for line in lines)
    assert any("quarantine_orders range_quantity: 2 -> None" in line for line in lines)
    assert differences(after, after) == ["  no change in counts, rules or quarantine"]


def test_remote_urls() -> None:
    target = parse_remote("sc://spark.example.com:15010/;token=secret")
    assert (target.host, target.port, target.shown) == (
        "spark.example.com",
        15010,
        "sc://spark.example.com:15010",
    )
    assert parse_remote("sc://localhost").port == 15002
    for bad in ("http://host:1", "localhost:15002", "sc://host:99999"):
        with pytest.raises(RemoteError):
            parse_remote(bad)


FAKE_SERVER = """
import socket, sys, time
sock = socket.socket(); sock.bind(("127.0.0.1", int(sys.argv[1]))); sock.listen()
time.sleep(600)
"""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_supervisor(state: Path, idle_s: float) -> tuple[subprocess.Popen[bytes], int]:
    """The real supervisor around a stand-in JVM (a Python process that listens on a port)."""
    state.mkdir(parents=True)
    port = free_port()
    command = [sys.executable, "-c", FAKE_SERVER, str(port)]
    launch = {
        "command": command,
        "env": dict(os.environ),
        "port": port,
        "idle_s": idle_s,
        "info": {"port": port},
    }
    (state / "launch.json").write_text(json.dumps(launch))
    (state / "last_used").touch()
    env = {**os.environ, "PYTHONPATH": str(HELPERS)}
    process = subprocess.Popen(
        [sys.executable, "-m", "medallion.tooling.local.supervisor", str(state)], env=env
    )
    for _ in range(100):
        if (state / "server.json").exists():
            return process, json.loads((state / "server.json").read_text())["pid"]
        time.sleep(0.1)
    raise AssertionError("the supervisor never reported its server ready")


def gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    return Path(f"/proc/{pid}/stat").read_text().rpartition(") ")[2].startswith("Z")


def test_idle_shutdown_stops_the_server_process_and_waits_for_a_lease(tmp_path: Path) -> None:
    state = tmp_path / "server"
    process, pid = start_supervisor(state, idle_s=1.0)
    try:
        with (state / "lease").open("a+") as lease:
            fcntl.flock(lease, fcntl.LOCK_SH)  # a run is using it: no idle shutdown
            time.sleep(2.5)
            assert not gone(pid) and (state / "server.json").exists()
        (state / "last_used").touch()
        assert process.wait(timeout=10) == 0
        assert gone(pid) and not (state / "server.json").exists()
        assert json.loads((state / "exit.json").read_text())["reason"] == "idle"
    finally:
        process.kill()


def test_the_server_process_dies_with_its_supervisor(tmp_path: Path) -> None:
    process, pid = start_supervisor(tmp_path / "server", idle_s=600)
    process.kill()  # SIGKILL: no chance to clean up; the parent-death signal must do it
    process.wait()
    deadline = time.monotonic() + 5
    while not gone(pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert gone(pid)


class FlakyServer:
    """A ServerWatch whose server disappears after `after_s` seconds."""

    def __init__(self, after_s: float) -> None:
        self.until = time.monotonic() + after_s

    def alive(self) -> bool:
        return time.monotonic() < self.until

    def tail(self) -> list[str]:
        return ["12:00:00 ERROR SparkConnectServer: java.lang.OutOfMemoryError: Java heap space"]

    def returncode(self) -> int | None:
        return 3


def test_a_run_on_a_server_that_dies_stops_within_seconds(tmp_path: Path) -> None:
    spec = tmp_path / "spark-pipeline.yml"
    spec.write_text("name: x\n")
    client = tmp_path / "pyspark" / "pipelines"
    client.mkdir(parents=True)
    for init in (tmp_path / "pyspark" / "__init__.py", client / "__init__.py"):
        init.write_text("")
    (client / "cli.py").write_text(
        "print('2026-11-30 01:00:00: Flow spark_catalog.default.bronze_orders is RUNNING.', flush=True)\n"
        "import time; time.sleep(600)\n"
    )
    env = {**os.environ, "SPARK_REMOTE": "sc://localhost:1", "PYTHONPATH": str(tmp_path)}
    started = time.monotonic()
    run = run_pipeline(spec, env, tmp_path / "log", echo=lambda _: None, server=FlakyServer(2.0))
    assert run.failure is not None and run.failure.kind == "out_of_memory", run
    assert run.stopped and run.server_lost and time.monotonic() - started < 15


def test_one_interpreter_spelled_two_ways_keeps_the_warm_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`.venv/bin/python` and `build/../.venv/bin/python` are one interpreter: a run started by
    either finds the other's server warm (a new fingerprint would restart the JVM: a cold run)."""
    from medallion.tooling.local.config import write_conf_dir
    from medallion.tooling.local.connect_server import fingerprint
    from medallion.tooling.local.project import LocalProject
    from medallion.tooling.local.resources import Resources

    project = LocalProject(tmp_path)
    resources = Resources("2g", 2)
    write_conf_dir(project, resources)
    python = Path(sys.executable)
    monkeypatch.setattr(sys, "executable", str(python))
    plain = fingerprint(project, resources)
    monkeypatch.setattr(sys, "executable", str(python.parent / ".." / python.parent.name / python.name))
    assert fingerprint(project, resources) == plain
    monkeypatch.setattr(sys, "executable", str(tmp_path / "other-venv" / "bin" / "python"))
    assert fingerprint(project, resources) != plain
