"""SCD2 versions from a history: re-sends, late versions, validity intervals, stable keys."""

from __future__ import annotations

import itertools
import random
from datetime import datetime
from typing import Any

import pytest

from medallion.gold.dimensions import scd2_dimension
from medallion.gold.scd2 import scd2_versions
from tests.gold import scd_reference
from tests.gold.frames import as_dicts, silver, ts
from tests.gold.scd_reference import END


def customer(
    cid: str,
    at: str,
    *,
    email: str = "a@x.com",
    country: str = "US",
    segment: str = "consumer",
    name: str = "Ann",
    ingested: str = "2024-06-01",
) -> dict[str, object]:
    return {
        "customer_id": cid,
        "name": name,
        "email": email,
        "country": country,
        "segment": segment,
        "updated_at": at,
        "_ingested_at": ingested,
        "_source_file": f"file-{ingested}.json",
    }


HISTORY = [
    customer("c1", "2024-01-01", ingested="2024-01-02"),
    customer("c1", "2024-02-01", name="Ann B", ingested="2024-02-02"),  # identical tracked values: re-send
    customer("c1", "2024-03-01", country="FR", segment="corporate", ingested="2024-03-02"),
    customer("c1", "2024-02-15", segment="corporate", ingested="2024-04-01"),  # late, lands in its place
    customer("c1", "2024-03-01", country="FR", segment="corporate", ingested="2024-05-01"),  # same seq again
    customer("c2", "2024-01-10", email="b@x.com"),
]


def build(spark, spec, rows=HISTORY):
    dim = next(d for d in spec.gold.dimensions if d.name == "customer")
    return scd2_dimension(spec, dim, silver(spark, spec, "customers", rows))


def test_three_versions_with_resend_and_late_update(spark, retail_spec):
    rows = [
        r
        for r in as_dicts(build(spark, retail_spec), ["customer_id", "valid_from"])
        if r["customer_id"] == "c1"
    ]
    assert [(r["valid_from"], r["valid_to"], r["segment"], r["country"], r["is_current"]) for r in rows] == [
        (ts("2024-01-01"), ts("2024-02-15"), "consumer", "US", False),
        (ts("2024-02-15"), ts("2024-03-01"), "corporate", "US", False),
        (ts("2024-03-01"), END, "corporate", "FR", True),
    ]
    assert rows[0]["name"] == "Ann B", "untracked attributes take the latest value within the version"


def test_exactly_one_unknown_member(spark, retail_spec):
    unknown = [r for r in build(spark, retail_spec).collect() if r["customer_key"] == -1]
    assert len(unknown) == 1
    member = unknown[0]
    assert member["customer_id"] is None and member["email"] == "unknown"
    assert (member["valid_from"], member["valid_to"]) == (datetime(1900, 1, 1), END)


def test_intervals_do_not_overlap_and_cover_time(spark, retail_spec):
    rows = [
        r
        for r in as_dicts(build(spark, retail_spec), ["customer_id", "valid_from"])
        if r["customer_key"] != -1
    ]
    for cid in {r["customer_id"] for r in rows}:
        versions = [r for r in rows if r["customer_id"] == cid]
        assert versions[-1]["valid_to"] == END and versions[-1]["is_current"]
        assert sum(r["is_current"] for r in versions) == 1
        for before, after in itertools.pairwise(versions):
            assert before["valid_to"] == after["valid_from"] and before["valid_from"] < before["valid_to"]


def test_keys_stable_across_recomputation_and_arrival_order(spark, retail_spec):
    first = {r["customer_key"] for r in build(spark, retail_spec).collect()}
    again = {r["customer_key"] for r in build(spark, retail_spec, list(reversed(HISTORY))).collect()}
    assert first == again and len(first) == 5


# --- An independent reference: the module docstring's rules in plain Python, on random dirty histories.

KEY = ["region", "account"]
ATTRIBUTES = ["plan", "tier", "nickname"]
TRACK = ["plan", "tier"]
HISTORY_DDL = (
    "region string, account int, plan string, tier int, nickname string, "
    "changed_at {seq_type}, _ingested_at timestamp, _source_file string"
)


def random_history(seed: int, rows: int = 600) -> list[dict[str, Any]]:
    """Few keys and few instants, so re-sends, same-instant duplicates, NULLs and ties are common."""
    rng = random.Random(seed)

    def maybe(values: list[object], none_share: float) -> object:
        return None if rng.random() < none_share else rng.choice(values)

    return [
        {
            "region": maybe(["eu", "us", "ap"], 0.02),
            "account": maybe(list(range(12)), 0.02),
            "plan": maybe(["free", "pro"], 0.1),
            "tier": maybe([1, 2], 0.2),
            "nickname": maybe(["a", "b", "c", "d"], 0.2),
            "changed_at": maybe([datetime(2024, 1, 1 + d) for d in range(14)], 0.03),
            "_ingested_at": maybe([datetime(2024, 3, 1, h) for h in range(3)], 0.2),
            "_source_file": maybe(["f1.json", "f2.json"], 0.2),
        }
        for _ in range(rows)
    ]


def reference_versions(history: list[dict[str, Any]]) -> set[tuple[object, ...]]:
    """(key..., attributes..., valid_from, valid_to, is_current) per version, by the docstring's rules."""
    return scd_reference.reference_versions(history, KEY, ATTRIBUTES, TRACK, "changed_at")


def versions_of(spark, history: list[dict[str, Any]], seq_type: str = "timestamp"):
    """scd2_versions over `history` as a DataFrame whose sequence column has `seq_type`."""
    names = [*KEY, *ATTRIBUTES, "changed_at", "_ingested_at", "_source_file"]
    data = [tuple(row[n] for n in names) for row in history]
    frame = spark.createDataFrame(data, HISTORY_DDL.format(seq_type=seq_type))
    return scd2_versions(frame, KEY, ATTRIBUTES, TRACK, "changed_at")


def spark_versions(spark, history: list[dict[str, Any]], seq_type: str) -> set[tuple[object, ...]]:
    return {tuple(row) for row in versions_of(spark, history, seq_type).collect()}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_versions_match_an_independent_reference_on_random_dirty_histories(spark, seed):
    history = random_history(seed)
    expected = reference_versions(history)
    assert len(expected) > 100, "the random history should produce many versions"
    assert spark_versions(spark, history, "timestamp") == expected


def test_a_date_sequence_gives_the_same_versions_at_midnight(spark):
    history = [
        {**row, "changed_at": None if row["changed_at"] is None else row["changed_at"].date()}
        for row in random_history(4)
    ]
    assert spark_versions(spark, history, "date") == reference_versions(history)


def test_the_history_is_shuffled_and_sorted_once(spark):
    """Every window shares the natural key's partitioning and the first window's sort order."""
    versions = versions_of(spark, random_history(5, rows=20))
    plan = versions._jdf.queryExecution().executedPlan().toString()
    assert (plan.count("Exchange hashpartitioning"), plan.count("Sort [")) == (1, 1), plan
