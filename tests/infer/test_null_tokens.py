"""Null tokens: the texts a file writes for a missing value (NA, NULL, \\N, ...) are found, drafted
as `source.null_values`, and typed as NULL, so numbers stay numbers and rules never see them."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
import yaml

from medallion.spec import SpecError, load_spec
from medallion.tooling.inference.draft import infer_spec
from medallion.tooling.inference.read import find_null_tokens


def write_flights(folder: Path, rows: int = 600) -> Path:
    """A flights-like CSV in the style of nycflights13: NA for missing delays, tail numbers and times."""
    rng = random.Random(7)
    folder.mkdir(parents=True)
    lines = ["flight_id,carrier,dep_delay,arr_time,tailnum,status"]
    for i in range(rows):
        missing = i % 17 == 0
        delay = "NA" if missing else str(rng.randint(-20, 300))
        arr = "NA" if missing else str(rng.randint(1, 2359))
        tail = "NA" if i % 29 == 0 else f"N{rng.randint(100, 999)}UA"
        status = rng.choice(["on_time", "late", "cancelled"])
        lines.append(f"{i + 1},{rng.choice(['UA', 'AA', 'DL'])},{delay},{arr},{tail},{status}")
    (folder / "part-0.csv").write_text("\n".join(lines) + "\n")
    return folder


def test_na_in_numeric_columns_is_drafted_as_a_null_token(tmp_path: Path) -> None:
    flights = write_flights(tmp_path / "raw" / "flights")
    out = tmp_path / "medallion.yml"
    out.write_text(infer_spec([flights.parent]))
    document = yaml.safe_load(out.read_text())
    table = document["sources"]["flights"]
    assert table["source"]["null_values"] == ["NA"]
    assert table["columns"]["dep_delay"] == "int" and table["columns"]["arr_time"] == "int"
    assert table["columns"]["tailnum"] == "string"
    for rule in table.get("expectations") or []:
        assert "NA" not in (rule.get("values") or []), rule
    spec = load_spec(out)  # the draft validates
    assert spec.source("flights").source.null_values == ("NA",)


def test_a_code_that_looks_like_a_token_among_text_stays_a_value() -> None:
    rows = [{"country": c} for c in ["NA", "DE", "FR", "NA", "US"] * 20]
    assert find_null_tokens(rows, ("country",)) == ()


def test_several_tokens_and_backslash_n_are_found() -> None:
    rows = [
        {"n": v, "d": d}
        for v, d in zip(["1", "NULL", "3", "\\N"] * 25, ["2024-01-01", "NA"] * 50, strict=True)
    ]
    assert find_null_tokens(rows, ("n", "d")) == ("NA", "NULL", "\\N")


def test_an_accepted_value_that_is_a_null_token_is_refused_with_its_key(tmp_path: Path) -> None:
    flights = write_flights(tmp_path / "raw" / "flights")
    spec = tmp_path / "medallion.yml"
    document = yaml.safe_load(infer_spec([flights.parent]))
    document["sources"]["flights"]["expectations"] = [
        {"use": "accepted_values", "column": "status", "values": ["on_time", "NA"], "action": "warn"}
    ]
    spec.write_text(yaml.safe_dump(document, sort_keys=False))
    with pytest.raises(SpecError) as refused:
        load_spec(spec)
    text = str(refused.value)
    assert "sources.flights.expectations[0].values[1]" in text and "null_values" in text
