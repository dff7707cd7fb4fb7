"""The airline benchmark's pure parts: options, the per-format comparison, data reuse (no Spark)."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from bench import airline
from bench.options import AIRLINE_SIZES, file_formats, parse_args
from bench.results import BASELINE, FULL, INCREMENTAL, Sample, baseline_scenario, summarise


def test_airline_defaults_to_a_million_rows_in_both_formats_without_increments() -> None:
    options = parse_args(["--domain", "airline"])
    assert options.domain == "airline" and options.sizes == AIRLINE_SIZES == (1_000_000,)
    assert options.formats == ("csv", "parquet") and not options.incremental
    assert parse_args([]).domain == "retail" and parse_args([]).incremental
    assert parse_args(["--domain", "airline", "--sizes", "50k", "--formats", "parquet"]).formats == (
        "parquet",
    )


def test_formats_are_checked() -> None:
    with pytest.raises(argparse.ArgumentTypeError):
        file_formats("csv,json")


def test_each_format_is_compared_with_its_own_batch_run() -> None:
    assert baseline_scenario(INCREMENTAL) == FULL and baseline_scenario("airline csv") == "airline csv"
    samples = [
        Sample("airline csv", BASELINE, 1000, 990, 40.0, 40.0, 1000.0),
        Sample("airline parquet", BASELINE, 1000, 990, 20.0, 20.0, 1000.0),
        Sample("airline csv", "sdp run-local cold", 1000, 990, 60.0, 80.0, 2000.0),
        Sample("airline parquet", "sdp run-local cold", 1000, 990, 30.0, 50.0, 2000.0),
    ]
    ratios = {(s.scenario, s.engine): s.vs_baseline for s in summarise(samples)}
    assert ratios[("airline csv", "sdp run-local cold")] == 1.5
    assert ratios[("airline parquet", "sdp run-local cold")] == 1.5


def test_data_is_written_once_per_size_and_format(tmp_path: Path) -> None:
    first = airline.write_data(tmp_path / "d", 2_000, "csv")
    marker = tmp_path / "d" / "bookings" / "part-00000.csv"
    stamp = marker.stat().st_mtime_ns
    assert airline.write_data(tmp_path / "d", 2_000, "csv") == first
    assert marker.stat().st_mtime_ns == stamp
    assert airline.write_data(tmp_path / "d", 2_000, "parquet")["format"] == "parquet"
    assert not marker.exists()


def test_the_project_server_is_sampled_from_its_server_json(tmp_path: Path) -> None:
    import json
    import os

    from bench.engines import WarmServer

    server = WarmServer(tmp_path)
    assert server.pids() == []
    (tmp_path / ".medallion" / "server").mkdir(parents=True)
    server.info.write_text(json.dumps({"pid": os.getpid(), "supervisor_pid": 2**22 + 7, "port": 1}))
    assert server.pids() == [os.getpid()]  # a dead supervisor is left out
