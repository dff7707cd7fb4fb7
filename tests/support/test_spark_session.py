"""The classic session starts after a Connect read in the same process (tests/support/spark_session.py).

It runs in a fresh interpreter: in this worker, whether a Connect or a classic session came first
depends on pytest-xdist's scheduling, and `getOrCreate` would hand back whichever exists.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.rendering import REPO
from tests.support.connect_server import ConnectServer

CONNECT_THEN_CLASSIC = """
import os, sys
from pyspark.sql import SparkSession
remote = SparkSession.builder.remote(sys.argv[1]).create()
assert remote.sql("SELECT 1").collect()[0][0] == 1
remote.stop()
assert os.environ.get("SPARK_CONNECT_MODE_ENABLED") == "1", "pyspark no longer marks the process"
from tests.support.spark_session import classic_session
spark = classic_session()
print(type(spark).__module__, spark.range(3).count())
spark.stop()
"""


@pytest.mark.spark
def test_classic_session_starts_after_a_connect_read(shared_server: ConnectServer) -> None:
    done = subprocess.run(
        [sys.executable, "-c", CONNECT_THEN_CLASSIC, shared_server.url],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.split()[-2:] == ["pyspark.sql.session", "3"], done.stdout
