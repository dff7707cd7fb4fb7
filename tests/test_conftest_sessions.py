"""The suite's own Spark fixtures in one worker: a Connect read first, the classic session after.

pytest-xdist decides which tests share a worker and in what order; a Connect session built in
the worker's process leaves pyspark's process-wide Connect flag set, and the classic `spark`
fixture must still start a classic session (tests/conftest.py). The two tests run in this order.
"""

from __future__ import annotations

from typing import Any

from medallion.tooling.local.connect_server import Endpoint
from medallion.tooling.local.session import connect_session
from tests.support.connect_server import ConnectServer


def test_a_connect_read_in_this_process(shared_server: ConnectServer) -> None:
    with connect_session(Endpoint(shared_server.url)) as spark:
        assert spark.sql("SELECT 1").collect()[0][0] == 1


def test_b_then_the_classic_session_still_starts(spark: Any) -> None:
    assert type(spark).__module__ == "pyspark.sql.session"
    assert spark.range(3).count() == 3
