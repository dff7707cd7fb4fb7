"""Spark sessions that read the pipeline's tables: on the server the pipeline ran on, or classic.

The project's Derby metastore allows one process at a time, so while the project's own server
runs, every reader goes through it; only when no server runs does `readback_session` start a
classic session of its own on the metastore.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager, suppress
from typing import Any

from medallion.tooling.local import connect_server as servers
from medallion.tooling.local.config import CATALOG, DATABASE, spark_environment
from medallion.tooling.local.connect_server import Endpoint
from medallion.tooling.local.project import LocalProject
from medallion.tooling.local.resources import Resources, resolve


def while_server_lives(alive: Callable[[], bool]) -> Any:
    """pyspark's default retry policy, but no retry once the server is gone.

    By default a Connect client retries an unavailable server for at least ten minutes
    (pyspark/sql/connect/client/retries.py, DefaultPolicy: 15 retries, backoff up to 60 s), so
    a server that died while the report read its tables held the command for ten minutes."""
    from pyspark.sql.connect.client.retries import DefaultPolicy

    class WhileServerLives(DefaultPolicy):
        def can_retry(self, error: BaseException) -> bool:
            return bool(super().can_retry(error)) and alive()

    return WhileServerLives()


def open_session(
    endpoint: Endpoint,
    database: str = DATABASE,
    alive: Callable[[], bool] | None = None,
    sql_conf: Mapping[str, str] | None = None,
) -> Any:
    """A Spark Connect session on `endpoint`, using `database`, with `sql_conf` set (the caller
    stops it); with `alive`, its calls stop retrying as soon as `alive()` says the server is gone."""
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.remote(endpoint.session_url).getOrCreate()
    if alive is not None:
        spark.client.set_retry_policies([while_server_lives(alive)])
    try:
        for key, value in (sql_conf or {}).items():
            spark.conf.set(key, value)
        spark.sql(f"USE {CATALOG}.{database}")
    except Exception:
        spark.stop()
        raise
    return spark


@contextmanager
def connect_session(
    endpoint: Endpoint, database: str = DATABASE, alive: Callable[[], bool] | None = None
) -> Iterator[Any]:
    """A Spark Connect session on `endpoint`, using `database`; stopped on exit."""
    spark = open_session(endpoint, database, alive)
    try:
        yield spark
    finally:
        spark.stop()


CLOSE_WAIT_S = 5.0


class EarlySession:
    """A Connect session opened on a thread while the pipeline runs, so that the report does
    not wait for it (half a second on a warm server). A daemon thread: a server that dies while
    it connects cannot hold the command's exit."""

    def __init__(
        self,
        endpoint: Endpoint,
        database: str = DATABASE,
        alive: Callable[[], bool] | None = None,
        sql_conf: Mapping[str, str] | None = None,
    ) -> None:
        self._spark: Any = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._open, args=(endpoint, database, alive, sql_conf), daemon=True
        )
        self._thread.start()

    def _open(
        self,
        endpoint: Endpoint,
        database: str,
        alive: Callable[[], bool] | None,
        sql_conf: Mapping[str, str] | None,
    ) -> None:
        try:
            self._spark = open_session(endpoint, database, alive, sql_conf)
        except BaseException as error:  # handed to the caller of session()
            self._error = error

    def session(self) -> Any:
        """The open session (waits for it); raises what opening it raised."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._spark

    def close(self, server_alive: bool) -> None:
        """Stop the session if it opened. On a live server, release it there (after waiting a
        moment for a session still opening); on a dead one only close the channel: the client
        would retry the release for minutes."""
        if server_alive:
            self._thread.join(timeout=CLOSE_WAIT_S)
        spark = self._spark
        if spark is None:
            return
        if not server_alive:
            spark.release_session_on_close = False
        with suppress(Exception):  # best effort: the server may go away meanwhile
            spark.stop()


@contextmanager
def readback_session(project: LocalProject, resources: Resources | None = None) -> Iterator[Any]:
    """A session on the project's tables: through its server when one runs, else a classic
    session on its metastore (settings from its SPARK_CONF_DIR); stopped on exit."""
    info = servers.running(project)
    if info is not None:
        token = servers.ServerFiles.of(project).token.read_text().strip()
        pid = int(info["pid"])
        endpoint = Endpoint(f"sc://localhost:{info['port']}", token, pid)
        with connect_session(endpoint, alive=lambda: servers.pid_alive(pid)) as spark:
            yield spark
        return
    from pyspark.sql import SparkSession

    resources = resources or resolve()
    previous = dict(os.environ)
    os.environ.update(spark_environment(project, resources))
    os.environ.pop("SPARK_REMOTE", None)
    spark = SparkSession.builder.appName("medallion-report").master(resources.master).enableHiveSupport()
    spark = spark.getOrCreate()
    spark.sql(f"USE {CATALOG}.{DATABASE}")
    try:
        yield spark
    finally:
        spark.stop()
        os.environ.clear()
        os.environ.update(previous)


def table_reader(spark: Any, database: str = DATABASE) -> Any:
    """read_table(name) for the pipeline's one schema."""
    return lambda name: spark.read.table(f"{CATALOG}.{database}.{name}")
