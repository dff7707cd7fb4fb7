"""Table-driven inference cases on small generated CSVs: false positives gone, true cases kept."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medallion.spec import Spec, load_spec
from medallion.tooling.inference import infer_spec
from medallion.tooling.inference.foreign_keys import name_affinity
from medallion.tooling.inference.read import block_size, spread_sample
from tests.infer.cases import write_csv, write_flights_like, write_tpch_like


@pytest.fixture(scope="module")
def tpch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Spec, str]:
    folder = tmp_path_factory.mktemp("tpch")
    text = infer_spec([write_tpch_like(folder / "raw")])
    (folder / "medallion.yml").write_text(text)
    return load_spec(folder / "medallion.yml"), text


@pytest.mark.parametrize(
    ("column", "key", "target", "expected"),
    [
        ("l_orderkey", "o_orderkey", "orders", True),
        ("o_custkey", "c_custkey", "customer", True),
        ("n_regionkey", "r_regionkey", "region", True),
        ("customer_id", "customer_id", "customers", True),
        ("customer_id", "id", "customers", True),
        ("custkey", "customer_id", "customers", True),
        ("city", "city", "branches", True),
        ("return_city", "city", "branches", True),
        ("origin_airport_code", "airport_code", "airports", True),
        ("dest_airport_id", "id", "airports", True),
        ("velocity", "city", "branches", False),
        ("l_linenumber", "n_nationkey", "nation", False),
        ("l_quantity", "p_partkey", "part", False),
        ("quantity", "id", "products", False),
        ("line_number", "order_id", "orders", False),
    ],
)
def test_name_affinity(column: str, key: str, target: str, expected: bool) -> None:
    assert name_affinity(column, key, target) is expected


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("lineitem", {(("l_orderkey",), "orders"), (("l_partkey",), "part")}),
        ("orders", {(("o_custkey",), "customer")}),
        ("customer", {(("c_nationkey",), "nation")}),
        ("nation", {(("n_regionkey",), "region")}),
        ("region", set()),
        ("part", set()),
    ],
)
def test_references_need_name_affinity(tpch: tuple[Spec, str], table: str, expected: set) -> None:
    spec, _ = tpch
    assert {(r.columns, r.table) for r in spec.source(table).references} == expected


def test_a_column_named_as_its_key_is_a_reference_with_its_orphans_in_a_threshold(tmp_path: Path) -> None:
    """tailnum -> planes.tailnum with 14% orphans (planes the table does not list): a reference,
    and the drafted orphan threshold sits above the observed share instead of being dropped."""
    write_csv(tmp_path, "planes", [{"tailnum": f"N{i:03}", "seats": 100 + i} for i in range(40)])
    flights: list[dict[str, Any]] = [
        {"flight_no": i, "tailnum": f"N{i % 47:03}", "dep_delay": i % 13} for i in range(200)
    ]
    write_csv(tmp_path, "flights", flights)
    text = infer_spec([tmp_path])
    spec_path = tmp_path / "medallion.yml"
    spec_path.write_text(text)
    flights_spec = load_spec(spec_path).source("flights")
    assert [(r.columns, r.table) for r in flights_spec.references] == [(("tailnum",), "planes")]
    orphans = sum(1 for f in flights if int(f["tailnum"][1:]) >= 40) / len(flights)
    limit = flights_spec.thresholds.max_orphan_fraction
    assert limit is not None and orphans < limit <= orphans * 1.5 + 0.03
    line = next(x for x in text.splitlines() if "max_orphan_fraction:" in x)
    assert f"worst observed: {orphans:.1%} of tailnum -> planes" in line


def test_a_weakly_matching_column_of_another_name_stays_a_commented_suggestion(tmp_path: Path) -> None:
    write_csv(tmp_path, "planes", [{"tailnum": f"N{i:03}", "seats": 100 + i} for i in range(40)])
    flights = [{"flight_no": i, "plane_tailnum": f"N{i % 47:03}"} for i in range(200)]
    write_csv(tmp_path, "flights", flights)
    text = infer_spec([tmp_path])
    spec_path = tmp_path / "medallion.yml"
    spec_path.write_text(text)
    assert not load_spec(spec_path).source("flights").references
    line = next(x for x in text.splitlines() if "# - {columns: [plane_tailnum], table: planes}" in x)
    assert "suggestion, only 86% match" in line and "orphans" in line


def _source(tmp_path: Path, columns: dict[str, list]) -> tuple[str, Spec]:
    rows = [dict(zip(columns, values, strict=True)) for values in zip(*columns.values(), strict=True)]
    write_csv(tmp_path / "raw", "events", rows)
    text = infer_spec([tmp_path / "raw"])
    (tmp_path / "medallion.yml").write_text(text)
    return text, load_spec(tmp_path / "medallion.yml")


N = 60


@pytest.mark.parametrize(
    ("column", "values", "expected"),
    [
        ("month", [1 + i % 11 for i in range(N)], ("range", 1, 12)),
        ("minute", [i % 59 for i in range(N)], ("range", 0, 59)),
        ("sched_hour", [i % 24 for i in range(N)], ("range", 0, 23)),
        ("lat", [f"{40 + i / 100:.4f}" for i in range(N)], ("range", -90, 90)),
        ("lon", [f"{-74 + i / 100:.4f}" for i in range(N)], ("range", -180, 180)),
        # Not a domain: the usual values widened by 10% of their span, rounded outward
        ("month", [i % 12 for i in range(N)], ("range", -2, 13)),  # 0-based: not the month domain
        ("dep_delay", [i * 7 - 20 for i in range(N)], ("range", -62, 435)),  # signed: no sign rule
        ("quantity", [1 + i % 50 for i in range(N)], ("range", 0, 55)),  # a count: never below 0
        # a temperature may be negative: a range, never non_negative
        ("temp", [f"{20 + i * 0.5:.1f}" for i in range(N)], ("range", 17.05, 52.45)),
        ("balance", [f"{(i - 20) * 1.5:.2f}" for i in range(N)], None),  # 20 negatives: no non_negative
        ("unit_price", [f"{1 + i * 1.5:.2f}" for i in range(N)], ("non_negative", None, None)),
        # a price is never negative by meaning: one negative in 23 is dirt; a balance's is not
        ("list_price", ["-5.00"] + [f"{1 + i * 1.5:.2f}" for i in range(22)], ("non_negative", None, None)),
        ("balance", ["-5.00"] + [f"{1 + i * 1.5:.2f}" for i in range(22)], None),
        # one typo among 200 prices: still flagged by non_negative, the evidence says so
        ("unit_price", ["-1.00"] + [f"{1 + i / 2:.2f}" for i in range(199)], ("non_negative", None, None)),
    ],
)
def test_numeric_rules_agree_with_their_evidence(
    tmp_path: Path, column: str, values: list, expected: tuple
) -> None:
    columns = {"event_id": list(range(len(values))), column: values}
    text, spec = _source(tmp_path, columns)
    rules = [e for e in spec.source("events").expectations if e.params.get("column") == column]
    if expected is None:
        assert rules == []
        return
    (rule,) = rules
    use, low, high = expected
    assert rule.name == f"{'range' if use == 'range' else 'non_negative'}_{column}"
    if use == "range":
        assert (rule.params["min"], rule.params["max"]) == (low, high)
    line = next(x for x in text.splitlines() if f"column: {column}," in x)
    assert "# min " in line


def test_an_outlier_is_named_as_suspicious_and_left_out_of_the_range(tmp_path: Path) -> None:
    """A known-bad 1048 mph wind speed among 0-40 mph readings never becomes the rule's maximum."""
    speeds = [f"{(i * 7) % 41}.0" for i in range(199)] + ["1048.0"]
    text, spec = _source(tmp_path, {"event_id": list(range(200)), "wind_speed": speeds})
    (rule,) = [e for e in spec.source("events").expectations if e.params.get("column") == "wind_speed"]
    assert rule.use == "range" and rule.params["max"] < 50
    line = next(x for x in text.splitlines() if "column: wind_speed," in x)
    assert "1 suspicious value(s) left out of the rule (e.g. 1048)" in line


def test_whole_numbers_written_as_floats_are_whole(tmp_path: Path) -> None:
    text, spec = _source(
        tmp_path, {"event_id": list(range(N)), "seats": [f"{100 + i % 9}.0" for i in range(N)]}
    )
    column_type = spec.source("events").column("seats").type
    assert column_type.startswith("decimal(") and column_type.endswith(",0)")
    assert "whole numbers written with a fraction" in text
    (rule,) = [e for e in spec.source("events").expectations if e.params.get("column") == "seats"]
    assert (rule.params["min"], rule.params["max"]) == (99, 109)  # 100..108 widened by 10%


def test_star_roles(tpch: tuple[Spec, str]) -> None:
    spec, _ = tpch
    dimensions = {d.name for d in spec.gold.dimensions}
    assert dimensions == {"customer", "nation", "order", "part", "region"}
    facts = {f.name: f for f in spec.gold.facts}
    # customer is referenced and has no event time (c_acctbal is not an event): a dimension only
    assert set(facts) == {"lineitem", "orders"}
    assert facts["orders"].event_time == "o_orderdate"
    measures = {m.name: m.expr for m in facts["lineitem"].measures}
    assert "amount" not in measures  # l_extendedprice is already quantity x price
    assert measures["l_extendedprice"] == "l_extendedprice"


def test_signed_balance_has_no_non_negative(tpch: tuple[Spec, str]) -> None:
    spec, _ = tpch
    assert not [e for e in spec.source("customer").expectations if e.params.get("column") == "c_acctbal"]


NO_KEY_COMMENT = "# no unique column set"


def test_timestamp_completes_a_composite_key(tmp_path: Path) -> None:
    text = infer_spec([write_flights_like(tmp_path / "raw")])
    (tmp_path / "medallion.yml").write_text(text)
    flights = load_spec(tmp_path / "medallion.yml").source("flights")
    assert flights.primary_key == ("carrier", "flight", "time_hour")
    assert NO_KEY_COMMENT not in text


VALUES = [f"{i * 1.37:.3f}" for i in range(40)]
"""Readings (decimal, never key columns) so that only the timestamp can make rows unique."""


@pytest.mark.parametrize(
    ("columns", "key"),
    [
        # a timestamp alone is never the key, even when unique in the sample
        ({"reading_at": [f"2024-01-01 00:{i:02}:00" for i in range(40)], "value": VALUES}, None),
        # a change timestamp orders versions; it does not make (sensor, updated_at) a key
        (
            {
                "sensor": [f"S{i % 4}" for i in range(40)],
                "updated_at": [f"2024-01-01 00:{i:02}:00" for i in range(40)],
                "value": VALUES,
            },
            None,
        ),
        (
            {
                "sensor": [f"S{i % 4}" for i in range(40)],
                "read_at": [f"2024-01-01 00:{i // 4:02}:00" for i in range(40)],
                "value": VALUES,
            },
            ("sensor", "read_at"),
        ),
    ],
)
def test_timestamp_keys(tmp_path: Path, columns: dict[str, list], key: tuple[str, ...] | None) -> None:
    text, spec = _source(tmp_path, columns)
    assert spec.source("events").primary_key == (key or ())
    assert (NO_KEY_COMMENT in text) is (key is None)


@pytest.mark.parametrize(("rows", "max_rows"), [(10, 100), (1_000, 100), (1_001, 64), (50_000, 1_000)])
def test_spread_sample_covers_the_whole_input(rows: int, max_rows: int) -> None:
    sample, total, stride = spread_sample(({"n": i} for i in range(rows)), max_rows)
    numbers = [r["n"] for r in sample]
    block = block_size(max_rows)
    assert total == rows and len(sample) <= max_rows
    assert numbers == [n for n in range(rows) if (n // block) % stride == 0]  # whole blocks, in order
    assert numbers[-1] >= rows - stride * block  # reaches the end, not just the head
    assert len(sample) > max_rows // 2 - block or rows <= max_rows


def test_sampled_tables_keep_their_references(tmp_path: Path) -> None:
    """lineitem and orders sampled with a stride: references are checked against every key."""
    text = infer_spec([write_tpch_like(tmp_path / "raw")], max_rows=150)
    (tmp_path / "medallion.yml").write_text(text)
    spec = load_spec(tmp_path / "medallion.yml")
    assert {(r.columns, r.table) for r in spec.source("lineitem").references} == {
        (("l_orderkey",), "orders"),
        (("l_partkey",), "part"),
    }
    assert {(r.columns, r.table) for r in spec.source("orders").references} == {(("o_custkey",), "customer")}
    assert len(spec.source("lineitem").primary_key) == 2  # blocks keep an order's lines together
    orders = next(x for x in text.splitlines() if x.startswith("  orders:"))
    assert "of 400: one block of rows in 4, spread over every file" in orders
