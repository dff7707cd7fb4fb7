"""The dirty retail sample: deterministic, every defect named, every source shape written."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from medallion import naming
from medallion.retail_sample import generate, write_sample
from medallion.spec import load_spec
from tests.rendering import python_with_project


def test_same_seed_same_bytes(tmp_path: Path) -> None:
    write_sample(tmp_path / "a")
    write_sample(tmp_path / "b")
    first, second = (sorted(p.relative_to(tmp_path / n) for p in (tmp_path / n).rglob("*.*")) for n in "ab")
    assert first == second and len(first) >= 4  # the manifest and at least one file per table
    for relative in first:
        assert (tmp_path / "a" / relative).read_bytes() == (tmp_path / "b" / relative).read_bytes()


def test_manifest_rules_exist_in_the_retail_spec(rendered_retail: Path) -> None:
    spec = load_spec(rendered_retail / "medallion.yml")
    sample = generate()
    for defect in sample.defects:
        table = spec.source(defect["table"])
        if "rule" in defect:
            assert defect["rule"] in {e.name for e in table.expectations}, defect
        if "column" in defect and defect["expect"] != "rescued":
            assert defect["column"] in table.column_names, defect
    assert {d["defect"] for d in sample.defects} >= {
        "null_key",
        "exact_duplicate",
        "late_update",
        "bad_quantity_text",
        "unknown_status",
        "orphan_customer",
        "extra_column",
        "bad_timestamp_text",
        "attribute_change",
    }


def test_several_batches_per_table_and_scale(tmp_path: Path) -> None:
    manifest = write_sample(tmp_path / "s")
    assert all(len(info["files"]) >= 2 for info in manifest["tables"].values())
    assert 100 <= manifest["tables"]["orders"]["rows"] <= 600
    bigger = generate(scale=5)
    assert sum(map(len, bigger.batches["orders"])) > 4 * manifest["tables"]["orders"]["rows"]


@pytest.mark.parametrize("fmt", ["csv", "parquet"])
def test_file_formats_keep_the_raw_values(tmp_path: Path, fmt: str) -> None:
    write_sample(tmp_path, fmt)
    first = tmp_path / "orders" / f"part-0003.{fmt}"
    if fmt == "parquet":
        rows = pq.read_table(first).to_pylist()
    else:
        header, *lines = first.read_text().splitlines()
        rows = [dict(zip(header.split(","), line.split(","), strict=False)) for line in lines]
    assert any(r.get("quantity") == "two" for r in rows)
    assert any(r.get("coupon_code") == "WELCOME10" for r in rows)


def test_kafka_shaped_records_carry_the_json_value(tmp_path: Path) -> None:
    write_sample(tmp_path, source_type="kafka")
    records = [json.loads(line) for line in (tmp_path / "orders" / "part-0001.json").read_text().splitlines()]
    assert set(records[0]) == {"key", "value", "topic", "partition", "offset", "timestamp"}
    assert records[0]["topic"] == "orders" and json.loads(records[0]["value"])["order_id"] == "O0000001"
    assert len({r["offset"] for r in records}) == len(records)


def test_delta_standin_is_parquet(tmp_path: Path) -> None:
    write_sample(tmp_path, source_type="delta")
    assert sorted(p.name for p in (tmp_path / "customers").iterdir()) == [
        "part-0001.parquet",
        "part-0002.parquet",
        "part-0003.parquet",
    ]


def test_command_writes_the_sample(tmp_path: Path, rendered_retail: Path) -> None:
    completed = subprocess.run(
        [sys.executable, "-m", "medallion", "sample-data", "--out", str(tmp_path / "out"), "--format", "csv"],
        env=python_with_project(rendered_retail),
        capture_output=True,
        text=True,
        check=True,
    )
    assert "seeded defects" in completed.stdout
    manifest = json.loads((tmp_path / "out" / "manifest.json").read_text())
    assert manifest["format"] == "csv" and (tmp_path / "out" / "customers" / "part-0001.csv").is_file()
    assert {d["table"] for d in manifest["defects"]} == {"customers", "products", "orders"}
    assert naming.bronze_table("orders") == "bronze_orders"
