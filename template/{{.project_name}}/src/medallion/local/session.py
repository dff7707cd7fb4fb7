"""The Spark session that reads tables back after the pipeline process has ended.

Derby allows one process at a time, so this starts only after the pipeline's server is gone
(or, with SPARK_LOCAL_CONNECT_REUSE=1, reconnects to that same server).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from medallion.local.config import CATALOG, DATABASE, spark_environment
from medallion.local.pipeline import reuse_server
from medallion.local.project import LocalProject
from medallion.local.resources import Resources, resolve


@contextmanager
def readback_session(project: LocalProject, resources: Resources | None = None) -> Iterator[Any]:
    """A session on the project's metastore (settings from its SPARK_CONF_DIR); stopped on exit."""
    from pyspark.sql import SparkSession

    resources = resources or resolve()
    previous = dict(os.environ)
    os.environ.update(spark_environment(project, resources))
    builder = SparkSession.builder.appName("medallion-report")
    if reuse_server():
        builder = builder.remote(resources.master)
    else:
        os.environ.pop("SPARK_REMOTE", None)
        builder = builder.master(resources.master).enableHiveSupport()
    spark = builder.getOrCreate()
    spark.sql(f"USE {CATALOG}.{DATABASE}")
    try:
        yield spark
    finally:
        spark.stop()
        os.environ.clear()
        os.environ.update(previous)


def table_reader(spark: Any) -> Any:
    """read_table(name) for the pipeline's one schema."""
    return lambda name: spark.read.table(f"{CATALOG}.{DATABASE}.{name}")
