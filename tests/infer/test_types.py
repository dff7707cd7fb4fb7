"""Type inference on single columns: clean, dirty and generated values."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from medallion.tooling.inference.types import TOLERANCE, infer_column


def test_mostly_integers_with_bad_text_stay_int() -> None:
    raw = [str(n) for n in range(1, 200)] + ["abc", None]
    column = infer_column("quantity", raw)
    assert column.type == "int"
    assert (column.bad, column.nulls, column.bad_examples) == (1, 1, ("abc",))
    assert column.values[-2:] == [None, None]


def test_big_integers_are_bigint_and_leading_zeros_stay_text() -> None:
    assert infer_column("n", ["1", str(2**40)]).type == "bigint"
    assert infer_column("zip", ["00123", "04567", "01000"]).type == "string"


def test_money_is_decimal_never_double() -> None:
    assert infer_column("unit_price", ["19.99", "5", "120.5"]).type == "decimal(12,2)"
    assert infer_column("list_price", [19.99, 5.0, 120.123456789]).type == "decimal(12,4)"
    assert infer_column("total_amount", ["10", "20"]).type == "decimal(12,2)"


def test_true_floats_are_double() -> None:
    assert infer_column("ratio", ["0.123456789", "1e-5", "3.25"]).type == "double"


def test_dates_timestamps_and_booleans() -> None:
    assert infer_column("d", ["2024-01-31", "2023-12-01"]).type == "date"
    stamps = ["2024-01-31T10:00:00Z", "2024-02-01 08:30:00.123", "2024-03-01"]
    assert infer_column("ts", stamps).type == "timestamp"
    assert infer_column("flag", ["true", "FALSE", True]).type == "boolean"
    assert infer_column("native", [date(2024, 1, 1), None]).type == "date"


def test_offsets_are_compared_in_utc() -> None:
    column = infer_column("ts", ["2024-01-01T12:00:00+02:00"])
    assert column.values == [datetime(2024, 1, 1, 10, 0)]


def test_empty_and_native_values() -> None:
    assert infer_column("x", [None, None]).note == "always empty in the sample"
    assert infer_column("x", [1, 2**40]).type == "bigint"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-(2**31), 2**31 - 1), min_size=50, max_size=200), st.integers(0, 100))
def test_generated_integers_with_dirt_are_int(numbers: list[int], dirt: int) -> None:
    raw: list[object] = [str(n) for n in numbers]
    bad = min(dirt, int(len(raw) * TOLERANCE))
    raw[:bad] = ["n/a"] * bad
    column = infer_column("count_col", raw)
    assert column.type == "int"
    assert column.bad == bad


@settings(max_examples=60, deadline=None)
@given(st.lists(st.decimals(min_value=0, max_value=10**6, places=2), min_size=1, max_size=100))
def test_generated_prices_are_decimal(prices: list[Decimal]) -> None:
    column = infer_column("price", [str(p) for p in prices])
    assert column.type.startswith("decimal(")
    assert column.values == [p.quantize(Decimal("0.01")) for p in prices]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.datetimes(datetime(1990, 1, 1), datetime(2090, 1, 1)), min_size=1, max_size=50))
def test_generated_timestamps_round_trip(moments: list[datetime]) -> None:
    moments = [m.replace(microsecond=0) + timedelta(seconds=1) for m in moments]
    column = infer_column("event_time", [m.isoformat(sep=" ") for m in moments])
    assert column.type == "timestamp"
    assert column.values == moments


@settings(max_examples=40, deadline=None)
@given(st.lists(st.text(alphabet="abcxyz ", min_size=1, max_size=8), min_size=1, max_size=50))
def test_generated_words_are_strings(words: list[str]) -> None:
    words = [f"w{w}" for w in words]
    assert infer_column("label", words).type == "string"
