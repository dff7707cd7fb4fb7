"""The airline generator, without Spark: deterministic, the dirt really is in the files, and the
DuckDB oracle's figures over its raw files agree with what the generator says it seeded."""

from __future__ import annotations

import csv
import hashlib
import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from datagen import domain, generate

from tests.rendering import REPO
from tests.scale.design import design_fact, design_rules
from tests.scale.oracle import Oracle, duck_type

ROWS = 6_000


def digest(folder: Path) -> dict[str, str]:
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def csv_data(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict]:
    out = tmp_path_factory.mktemp("airline_csv")
    return out, generate(out, ROWS, "csv", seed=11)


def test_same_seed_same_bytes_other_seed_other_rows(tmp_path: Path, csv_data: tuple[Path, dict]) -> None:
    out, manifest = csv_data
    again = generate(tmp_path / "again", ROWS, "csv", seed=11)
    assert again == manifest and digest(tmp_path / "again") == digest(out)
    other = generate(tmp_path / "other", ROWS, "csv", seed=12)
    assert digest(tmp_path / "other") != digest(out)
    assert abs(other["rows"] - ROWS) < ROWS * 0.1


def test_layout_nine_tables_composite_keys_several_files(csv_data: tuple[Path, dict]) -> None:
    out, manifest = csv_data
    assert sorted(manifest["tables"]) == sorted(t.name for t in domain.TABLES)
    assert len(domain.TABLES) >= 8 and any(len(t.key) == 3 for t in domain.TABLES)
    for table in domain.TABLES:
        files = sorted((out / table.name).glob("*.csv"))
        assert [str(f.relative_to(out)) for f in files] == manifest["tables"][table.name]["files"]
    assert len(manifest["tables"]["segments"]["files"]) >= 2
    assert abs(manifest["rows"] - ROWS) < ROWS * 0.1


def records(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_csv_dirt_is_really_in_the_files(csv_data: tuple[Path, dict]) -> None:
    out, _ = csv_data
    raw = {f.name: f.read_bytes() for f in (out / "bookings").glob("*.csv")}
    crlf = [data.split(b"\n", 1)[0].endswith(b"\r") for data in raw.values()]  # the header's line end
    assert any(crlf) and not all(crlf)
    bookings = [r for f in sorted((out / "bookings").glob("*.csv")) for r in records(f)]
    notes = [r["notes"] for r in bookings if r["notes"]]
    assert any("\n" in n for n in notes) and any('"' in n for n in notes) and any("," in n for n in notes)
    assert any(r["sales_channel"].isupper() for r in bookings)  # mixed case
    assert sum(1 for r in bookings if r["booking_ref"] == "") == sum(
        1 for r in bookings if not r["booking_ref"]
    )
    assert sum(1 for r in bookings if r["updated_at"] == "not available") >= 2
    passengers = [r for f in sorted((out / "passengers").glob("*.csv")) for r in records(f)]
    assert any("," in r["last_name"] for r in passengers) and any('"' in r["last_name"] for r in passengers)
    assert any(not r["email"] for r in passengers) and any(not r["birth_date"] for r in passengers)
    text = (out / "airports" / "part-00000.csv").read_bytes()
    assert b"\r\n" in text and b'""' in text


def test_parquet_is_typed_and_dirt_becomes_null(tmp_path: Path) -> None:
    generate(tmp_path, 3_000, "parquet", seed=5)
    table = pq.read_table(tmp_path / "segments")
    assert str(table.schema.field("fare_amount").type) == "decimal128(12, 2)"
    assert str(table.schema.field("flight_date").type) == "date32[day]"
    assert table.column("updated_at").null_count >= 2 and table.column("segment_number").null_count >= 2


def test_mixed_format_writes_some_tables_in_each() -> None:
    from datagen import table_format

    formats = {t.name: table_format(t.name, "mixed") for t in domain.TABLES}
    assert set(formats.values()) == {"csv", "parquet"}
    assert formats["segments"] == "csv" and formats["flights"] == "parquet"


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_oracle_agrees_with_what_the_generator_seeded(tmp_path: Path, fmt: str) -> None:
    manifest = generate(tmp_path, ROWS, fmt, seed=3)
    oracle = Oracle(tmp_path, design_rules())
    for name, seeded in manifest["tables"].items():
        figures = oracle.table(name)
        assert figures.bronze == seeded["rows"], name
        assert figures.quarantine == seeded["quarantined"], name
        assert figures.history + figures.quarantine == figures.bronze
        collapsed = seeded["resent"] + seeded["duplicates"]
        assert figures.silver == seeded["rows"] - seeded["quarantined"] - collapsed, name
    for fact in ("flights", "bookings", "segments", "payments"):
        fact_figures = oracle.fact(design_fact(fact))
        seeded = manifest["tables"][fact]["orphans"]
        for role, count in fact_figures.orphans.items():
            assert count == seeded.get(role.replace("+", ","), 0), (fact, role)
        assert all(total is not None for total in fact_figures.totals.values())
    oracle.close()


def test_oracle_totals_are_exact_to_the_cent(tmp_path: Path) -> None:
    generate(tmp_path, 3_000, "csv", seed=9)
    latest: dict[str, Decimal] = {}  # by hand: one row per payment id (re-deliveries are exact copies)
    for path in sorted((tmp_path / "payments").glob("*.csv")):
        for row in records(path):
            if row["payment_id"]:
                latest[row["payment_id"]] = Decimal(row["amount"])
    figures = Oracle(tmp_path, design_rules()).fact(design_fact("payments"))
    assert figures.totals["amount"] == sum(latest.values()) and figures.rows == len(latest)


def test_duck_types() -> None:
    assert duck_type("decimal(12, 2)") == "DECIMAL(12,2)" and duck_type("timestamp") == "TIMESTAMP"


def test_command_line(tmp_path: Path) -> None:
    command = [sys.executable, str(REPO / "scripts" / "datagen"), "--rows", "2000", "--format", "mixed"]
    done = subprocess.run(
        [*command, "--out", str(tmp_path), "--seed", "1"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    manifest = json.loads((tmp_path / "manifest.json").read_text())
    assert manifest["tables"]["flights"]["format"] == "parquet" and "wrote" in done.stdout
    bad = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "datagen"), "--rows", "10", "--out", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert bad.returncode == 2 and "at least" in bad.stderr
