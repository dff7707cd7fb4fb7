"""Spark sessions that read the pipeline's tables: on the server the pipeline ran on, or classic.

The project's Derby metastore allows one process at a time, so while the project's own server
runs, every reader goes through it; only when no server runs does `readback_session` start a
classic session of its own on the metastore.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from medallion.tooling.local import connect_server as servers
from medallion.tooling.local.config import CATALOG, DATABASE, spark_environment
from medallion.tooling.local.connect_server import Endpoint
from medallion.tooling.local.project import LocalProject
from medallion.tooling.local.resources import Resources, resolve


@contextmanager
def connect_session(endpoint: Endpoint, database: str = DATABASE) -> Iterator[Any]:
    """A Spark Connect session on `endpoint`, using `database`; stopped on exit."""
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.remote(endpoint.session_url).getOrCreate()
    try:
        spark.sql(f"USE {CATALOG}.{database}")
        yield spark
    finally:
        spark.stop()


@contextmanager
def readback_session(project: LocalProject, resources: Resources | None = None) -> Iterator[Any]:
    """A session on the project's tables: through its server when one runs, else a classic
    session on its metastore (settings from its SPARK_CONF_DIR); stopped on exit."""
    info = servers.running(project)
    if info is not None:
        token = servers.ServerFiles.of(project).token.read_text().strip()
        with connect_session(Endpoint(f"sc://localhost:{info['port']}", token, int(info["pid"]))) as spark:
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
