"""The suite's classic local Spark session, safe to start after a Spark Connect session.

pyspark marks the whole process as Spark Connect (`SPARK_CONNECT_MODE_ENABLED`) when any remote
session is built (pyspark/sql/session.py, `Builder.getOrCreate`/`create`) and never unmarks it for
an sc:// server, so the classic builder would then build a Connect session and fail with
CONNECT_URL_NOT_SET. Under pytest-xdist, whether a worker read tables over Connect before its
first classic session depends on the scheduling.
"""

from __future__ import annotations

import os
from typing import Any

from tests.support.connect_server import TEST_JIT


def classic_session() -> Any:
    """A classic `local[2]` session (loopback only, UTC, two shuffle partitions, C1 JIT only)."""
    os.environ.pop("SPARK_REMOTE", None)
    os.environ.pop("SPARK_CONNECT_MODE_ENABLED", None)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    return (
        SparkSession.builder.master("local[2]")
        .appName("medallion-template-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.extraJavaOptions", TEST_JIT)
        .getOrCreate()
    )
