"""A Spark Connect server started on its own, as a user would start one for `run-local --remote`.

Shared by the pipeline tests for the whole session (one JVM start instead of one per project):
each project runs in its own database, so their tables never meet. Loopback only, a Hive
catalog with its Derby metastore and warehouse in a folder of its own, its own free port.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"
READY_S = 240


@dataclass(frozen=True)
class ConnectServer:
    """A running server: its URL, JVM pid and where its databases keep their tables."""

    url: str
    pid: int
    warehouse: Path
    log: Path

    def database(self) -> str:
        """A database name no other test uses."""
        return f"t_{uuid.uuid4().hex[:12]}"

    def table_dir(self, database: str, table: str) -> Path:
        return self.warehouse / f"{database}.db" / table


def free_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _listening(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


# The suite's JVMs compile with C1 only: on a warm server a sample run spends half its CPU in
# the JIT (C2 7-9 of 15-17 CPU-s: Spark generates new classes for every query), and the suite is
# CPU-bound on 2 cores. C1 alone: 11-13 CPU-s a run, same wall time when alone. C1 alone shrinks
# the default code cache to 48 MB, which Spark's generated code fills (the JVM then exits on
# "Out of space in CodeCache"): hence the cache size. The project servers keep the JVM's default.
TEST_JIT = "-XX:TieredStopAtLevel=1 -XX:ReservedCodeCacheSize=240m"


def write_conf(folder: Path) -> Path:
    """spark-defaults.conf and a quiet log4j2.properties for the server (its SPARK_CONF_DIR)."""
    conf = folder / "conf"
    conf.mkdir(parents=True, exist_ok=True)
    settings = {
        "spark.sql.catalogImplementation": "hive",
        "spark.sql.warehouse.dir": (folder / "warehouse").as_uri(),
        "spark.hadoop.javax.jdo.option.ConnectionURL": (
            f"jdbc:derby:;databaseName={folder / 'metastore_db'};create=true"
        ),
        "spark.driver.extraJavaOptions": (
            f"-Dderby.system.home={folder} -XX:+ExitOnOutOfMemoryError {TEST_JIT}"
        ),
        "spark.connect.grpc.binding.address": "127.0.0.1",
        "spark.driver.bindAddress": "127.0.0.1",
        "spark.driver.host": "127.0.0.1",
        "spark.ui.enabled": "false",
        "spark.sql.session.timeZone": "UTC",
        "spark.sql.shuffle.partitions": "4",
        # like a user's cluster, Spark's own scheduler and codegen settings: each run sets its own
        # (medallion/tooling/local/run_settings.py)
    }
    (conf / "spark-defaults.conf").write_text("".join(f"{k} {v}\n" for k, v in settings.items()))
    (conf / "log4j2.properties").write_text(
        "rootLogger.level = error\nrootLogger.appenderRef.stderr.ref = console\n"
        "appender.console.type = Console\nappender.console.name = console\n"
        "appender.console.target = SYSTEM_ERR\nappender.console.layout.type = PatternLayout\n"
        "appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n\n"
    )
    return conf


@contextlib.contextmanager
def connect_server(folder: Path, memory: str = "3g") -> Iterator[ConnectServer]:
    """Start a server in `folder`, wait until it answers, and stop it (and wait) at the end."""
    import pyspark

    folder.mkdir(parents=True, exist_ok=True)
    spark_home = Path(pyspark.__file__).parent
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("SPARK_REMOTE", "SPARK_CONNECT_MODE_ENABLED")}
    env |= {
        "SPARK_HOME": str(spark_home),
        "SPARK_CONF_DIR": str(write_conf(folder)),
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_DRIVER_MEMORY": memory,
        "PYSPARK_PYTHON": sys.executable,
    }
    command = [str(spark_home / "bin" / "spark-submit"), "--class", SERVER_CLASS]
    command += ["--name", "tests shared server", "--master", "local[2]"]
    command += ["--conf", f"spark.connect.grpc.binding.port={port}"]
    log = folder / "server.log"
    with log.open("ab") as out:
        process = subprocess.Popen(command, env=env, cwd=folder, stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + READY_S
        while not _listening(port):
            if process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"the shared Connect server did not start: {log.read_text()[-2000:]}")
            time.sleep(0.25)
        yield ConnectServer(f"sc://localhost:{port}", process.pid, folder / "warehouse", log)
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
