""" "Now" in a rule is one instant per update: history (rows that pass) and quarantine (rows
that fail) are separate flows that run at different moments, so a rule reading the wall clock
could put a row stamped between them in neither. With the clock fixed when the pipeline is
defined, the two filters split every row exactly, however far apart they run."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from medallion import rules
from medallion.spec.model import Expectation

NOT_IN_FUTURE = [Expectation("not_in_future_order_ts", "drop", "order_ts <= current_timestamp()")]


@pytest.fixture
def fixed_clock() -> Iterator[int]:
    saved = list(rules._clock)
    instant = time.time_ns() // 1000
    rules.fix_clock(instant)
    yield instant
    rules._clock[:] = saved


def test_now_and_today_become_the_updates_instant(fixed_clock: int) -> None:
    text = rules.compile_rule("a <= now() AND b <= current_date AND c <= CURRENT_TIMESTAMP AND d <> 'now()'")
    instant = f"timestamp_micros({fixed_clock})"
    assert text == (
        f"coalesce((a <= {instant} AND b <= to_date({instant}) AND c <= {instant} AND d <> 'now()'), false)"
    )


@pytest.mark.spark
def test_history_and_quarantine_split_rows_stamped_around_now(spark: Any, fixed_clock: int) -> None:
    now = datetime.fromtimestamp(fixed_clock / 1_000_000, tz=timezone.utc)
    stamps = [now + timedelta(milliseconds=offset) for offset in (-5, 0, 300, 600, 900, 1500)]
    frame = spark.createDataFrame([(i, s) for i, s in enumerate(stamps)], "id INT, order_ts TIMESTAMP")
    history = {row.id for row in frame.where(rules.all_pass(NOT_IN_FUTURE)).collect()}
    time.sleep(1.0)  # the quarantine flow runs later in the update
    quarantine = {row.id for row in frame.where(rules.any_fails(NOT_IN_FUTURE)).collect()}
    assert history == {0, 1} and quarantine == {2, 3, 4, 5}
    assert history | quarantine == set(range(len(stamps))) and not history & quarantine
