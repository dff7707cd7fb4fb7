"""SCD2 versions from a history: re-sends, late versions, validity intervals, stable keys."""

from __future__ import annotations

import itertools
from datetime import datetime

from medallion.gold.dimensions import scd2_dimension
from tests.gold.frames import as_dicts, silver, ts

END = datetime(9999, 12, 31)


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
