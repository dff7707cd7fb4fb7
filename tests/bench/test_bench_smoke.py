"""The benchmark's pure parts, quickly: options, figures, tables, process sampling, inputs,
and the batch baseline on a tiny sample (one classic Spark session, no pipeline run)."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bench import data
from bench.baseline import BatchPipeline, layer_functions
from bench.options import DEFAULT_SIZES, QUICK_SIZE, parse_args, sizes
from bench.procs import PAGE_SIZE, descendants, run_measured, tree_rss_bytes
from bench.results import (
    BASELINE,
    FULL,
    INCREMENTAL,
    Sample,
    flow_rows_table,
    markdown_table,
    ratio,
    rows_per_second,
    scaling,
    silver_flow_rows,
    summarise,
)

from medallion.retail_sample import write_sample
from tests.rendering import REPO

BASELINE_SCRIPT = REPO / "scripts" / "bench" / "baseline.py"


# -- options ----------------------------------------------------------------------------------


def test_defaults_are_the_two_sizes_twice_each() -> None:
    options = parse_args([])
    assert options.sizes == DEFAULT_SIZES == (100_000, 1_000_000)
    assert options.repeat == 2 and options.modes == ("cold", "warm") and options.incremental
    assert options.json_path is None


def test_quick_means_one_small_size_once() -> None:
    options = parse_args(["--quick", "--sizes", "1000000", "--repeat", "5", "--json", "out.json"])
    assert options.sizes == (QUICK_SIZE,) and options.repeat == 1
    assert options.json_path == Path("out.json")


def test_sizes_accept_suffixes() -> None:
    assert sizes("100000,1m, 250k") == (100_000, 1_000_000, 250_000)
    with pytest.raises(argparse.ArgumentTypeError):
        sizes("0")


@pytest.mark.parametrize("argv", [["--repeat", "0"], ["--modes", "hot"], ["--increment", "2"]])
def test_bad_options_are_refused(argv: list[str]) -> None:
    with pytest.raises(SystemExit):
        parse_args(argv)


# -- figures and tables -----------------------------------------------------------------------


def sample(scenario: str, engine: str, size: int, wall: float, rows: int | None = None) -> Sample:
    return Sample(scenario, engine, size, rows or size, wall, wall + 5, 1500.0)


SAMPLES = [
    sample(FULL, BASELINE, 100, 10.0),
    sample(FULL, BASELINE, 100, 14.0),
    sample(FULL, BASELINE, 100, 12.0),
    sample(FULL, "sdp run-local cold", 100, 30.0),
    sample(FULL, "sdp run-local cold", 100, 36.0),
    sample(INCREMENTAL, "sdp run-local cold", 100, 20.0, rows=1),
    sample(FULL, BASELINE, 1000, 40.0),
    sample(FULL, "sdp run-local cold", 1000, 66.0),
]


def test_ratio_and_rate() -> None:
    assert ratio(33.0, 12.0) == 2.75
    assert ratio(33.0, None) is None and ratio(33.0, 0.0) is None
    assert rows_per_second(1000, 4.0) == 250.0 and rows_per_second(10, 0) == 0.0


def test_summaries_take_medians_and_compare_with_the_same_size_baseline() -> None:
    summaries = {(s.scenario, s.engine, s.size): s for s in summarise(SAMPLES)}
    base = summaries[(FULL, BASELINE, 100)]
    assert base.wall_s == 12.0 and base.runs == 3 and base.vs_baseline == 1.0
    cold = summaries[(FULL, "sdp run-local cold", 100)]
    assert cold.wall_s == 33.0 and cold.vs_baseline == 2.75 and cold.rows_per_s == round(100 / 33, 1)
    assert summaries[(FULL, "sdp run-local cold", 1000)].vs_baseline == 1.65
    incremental = summaries[(INCREMENTAL, "sdp run-local cold", 100)]
    assert incremental.rows == 1 and incremental.vs_baseline == round(20 / 12, 2)  # vs the full batch run
    assert incremental.vs_full == round(20 / 33, 2)  # vs the same engine's full run
    assert cold.vs_full is None and base.vs_full is None


def test_failed_runs_are_left_out() -> None:
    failed = Sample(FULL, BASELINE, 100, 100, 1.0, 1.0, None, ok=False)
    (summary,) = summarise([failed, sample(FULL, BASELINE, 100, 9.0)])
    assert summary.runs == 1 and summary.wall_s == 9.0 and summary.peak_rss_mb == 1500.0


def test_markdown_table_has_one_line_per_summary_with_aligned_columns() -> None:
    table = markdown_table(summarise(SAMPLES)).splitlines()
    assert table[0].startswith("| scenario") and "vs baseline" in table[0]
    assert set(table[1]) <= {"|", "-", ":", " "} and table[1].rstrip("| ").endswith(":")
    assert len(table) == 2 + 5
    assert len({len(line) for line in table}) == 1
    cold = next(line for line in table if "cold" in line and "full" in line)
    assert "2.75x" in cold and "33.0" in cold and "38.0" in cold  # wall and run-local total
    baseline_row = next(line for line in table if BASELINE in line)
    assert "1.00x" in baseline_row


def test_silver_flows_count_new_rows_for_streaming_tables_and_the_history_for_views() -> None:
    before = {
        "bronze_orders": {"rows": 100, "layer": "bronze"},
        "silver_orders_history": {"rows": 90, "layer": "silver_history"},
        "quarantine_orders": {"rows": 10, "layer": "quarantine"},
        "silver_orders": {"rows": 80, "layer": "silver"},
    }
    after = {
        "bronze_orders": {"rows": 103, "layer": "bronze"},
        "silver_orders_history": {"rows": 92, "layer": "silver_history"},
        "quarantine_orders": {"rows": 11, "layer": "quarantine"},
        "silver_orders": {"rows": 81, "layer": "silver"},
        "fact_sales": {"rows": 81, "layer": "gold"},
    }
    assert silver_flow_rows(before, after) == {
        "quarantine_orders": 1,
        "silver_orders": 92,
        "silver_orders_history": 2,
    }


def test_flow_rows_table_takes_the_median_of_incremental_runs() -> None:
    runs = [
        Sample(INCREMENTAL, "sdp run-local warm", 100, 1, 2.0, 3.0, None, flow_rows={"silver_orders": rows})
        for rows in (90, 92, 200)
    ]
    table = flow_rows_table([*runs, sample(FULL, BASELINE, 100, 9.0)]).splitlines()
    assert table[2] == "| sdp run-local warm | 100 | silver_orders | 92 |" and len(table) == 3
    assert flow_rows_table([sample(FULL, BASELINE, 100, 9.0)]) == ""


def test_scaling_compares_smallest_and_largest_size() -> None:
    entries = {(e["scenario"], e["engine"]): e for e in scaling(summarise(SAMPLES))}
    assert entries[(FULL, BASELINE)]["rows_factor"] == 10.0
    assert entries[(FULL, BASELINE)]["wall_factor"] == round(40 / 12, 2)
    assert (INCREMENTAL, "sdp run-local cold") not in entries


# -- process sampling -------------------------------------------------------------------------


def test_descendants_walk_the_tree() -> None:
    parents = {2: 1, 3: 2, 4: 2, 5: 1, 6: 3}
    assert descendants(2, parents) == {2, 3, 4, 6}
    assert descendants(9, parents) == {9}


def test_a_child_still_in_its_parents_memory_is_counted_once(tmp_path: Path) -> None:
    """A JVM (pid 10, 500k pages) spawning `readlink`: the child (11) shows the JVM's statm until it
    executes; a real second process (12) with its own memory counts; a gone one (13) is 0."""
    statm = {10: "900000 500000 9000 10 0 600000 0", 11: "900000 500000 9000 10 0 600000 0"}
    statm[12] = "20000 3000 1000 10 0 2000 0"
    for pid, text in statm.items():
        (tmp_path / str(pid)).mkdir()
        (tmp_path / str(pid) / "statm").write_text(text + "\n")
    parents = {10: 1, 11: 10, 12: 10, 13: 10}
    total = tree_rss_bytes([10, 11, 12, 13], parents, proc=tmp_path)
    assert total == (500000 + 3000) * PAGE_SIZE


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="needs /proc")
def test_run_measured_times_a_child_and_its_memory() -> None:
    assert tree_rss_bytes([os.getpid()], {}) > 0
    code = "import time; b = bytearray(80 * 2**20); time.sleep(1.0)"
    measured = run_measured([sys.executable, "-c", code], dict(os.environ))
    assert measured.returncode == 0 and measured.wall_s >= 1.0
    assert measured.peak_rss_mb is not None and measured.peak_rss_mb >= 80


# -- inputs -----------------------------------------------------------------------------------


def test_scale_for_rows() -> None:
    assert data.scale_for(1) == 1
    assert data.scale_for(100_000) == 336 and data.scale_for(1_000_000) == 3356


def test_increment_adds_new_order_keys(tmp_path: Path) -> None:
    manifest = write_sample(tmp_path, scale=2)
    total = manifest["tables"]["orders"]["rows"]
    path, added = data.add_increment(tmp_path, 0.05, total)
    records = [json.loads(line) for line in path.read_text().splitlines()]
    assert added == len(records) == round(total * 0.05)
    assert all(r["order_id"].startswith(data.INCREMENT_PREFIX) for r in records)
    assert path.parent == tmp_path / "orders"
    data.remove_increment(tmp_path)
    assert not path.exists()


# -- the baseline -----------------------------------------------------------------------------


def test_layer_functions_follow_the_transformation_files(default_project: Path) -> None:
    found = [f.__module__ for f in layer_functions(next((default_project / "src").glob("*/transformations")))]
    assert found[:2] == ["medallion.bronze", "medallion.silver"]


def test_batch_pipeline_computes_each_dataset_once_in_dependency_order(tmp_path: Path) -> None:
    calls: list[str] = []

    class Frame:
        def __init__(self, name: str) -> None:
            self.name = name

    pipeline = BatchPipeline(spark=None, out=tmp_path)
    pipeline.done["upstream"] = Frame("upstream")  # already written

    def view() -> Frame:
        calls.append("view")
        return Frame("view")

    pipeline.temporary_view(name="view")(view)
    assert pipeline.read("view").name == "view" and calls == ["view"]
    assert pipeline.read("upstream").name == "upstream"
    assert pipeline.referenced("SELECT * FROM `upstream` JOIN view_2 ON 1=1 JOIN view") == ["view"]


def expected_quarantine(manifest: dict, table: str) -> int:
    return sum(1 for d in manifest["defects"] if d["table"] == table and d["expect"] == "quarantine")


def newer_versions(manifest: dict, table: str) -> int:
    expects = ("duplicate", "superseded", "silver_value")
    return sum(1 for d in manifest["defects"] if d["table"] == table and d["expect"] in expects)


@pytest.mark.skipif(shutil.which("java") is None, reason="the baseline needs Java 17")
@pytest.mark.spark  # the batch baseline starts a classic PySpark session (about a minute)
def test_baseline_on_a_tiny_sample_matches_the_manifest(default_project: Path, tmp_path: Path) -> None:
    manifest = write_sample(tmp_path / "data", scale=1)
    result_file = tmp_path / "result.json"
    env = data.project_env(default_project) | {"PYTHONWARNINGS": "ignore"}
    env.pop("SPARK_REMOTE", None)
    command = [sys.executable, str(BASELINE_SCRIPT), "--project", str(default_project)]
    command += ["--source", str(tmp_path / "data"), "--out", str(tmp_path / "tables")]
    done = subprocess.run(
        [*command, "--result", str(result_file)], env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    rows = json.loads(result_file.read_text())["rows"]
    for table, info in manifest["tables"].items():
        quarantined = expected_quarantine(manifest, table)
        assert rows[f"bronze_{table}"] == info["rows"], table
        assert rows[f"quarantine_{table}"] == quarantined, table
        assert rows[f"silver_{table}_history"] == info["rows"] - quarantined, table
    for table in ("orders", "products"):
        assert rows[f"silver_{table}"] == rows[f"silver_{table}_history"] - newer_versions(manifest, table)
    if "fact_sales" in rows:
        assert rows["fact_sales"] == rows["silver_orders"]
        assert rows["dim_date"] > 1 and rows["agg_daily_sales"] > 0


def test_a_run_missing_only_skipped_layers_counts_as_ok() -> None:
    from bench.engines import Run
    from bench.procs import Measurement

    tables = {
        "bronze_orders": {"rows": 10, "layer": "bronze"},
        "fact_sales": {"rows": None, "layer": "gold"},
    }
    details = {"status": "FAILED", "pipeline_duration_s": 30.0, "flows": {"bronze_orders": "COMPLETED"}}
    run = Run(Measurement(40.0, 900.0, 1, ""), details | {"tables": tables})
    assert not run.ok and run.ok_without(("gold",)) and not run.ok_without(())
    failed_flow = details | {"tables": tables, "flows": {"bronze_orders": "FAILED"}}
    assert not Run(Measurement(40.0, 900.0, 1, ""), failed_flow).ok_without(("gold",))


def test_tables_can_be_printed_again_from_a_json_file(tmp_path: Path) -> None:
    from dataclasses import asdict

    saved = tmp_path / "bench.json"
    saved.write_text(json.dumps({"machine": {"nproc": 2}, "samples": [asdict(s) for s in SAMPLES]}))
    done = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "bench.py"), "--from-json", str(saved), "--repeat", "3"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert "Median of 3 run(s)" in done.stdout and "2.75x" in done.stdout and "- nproc: 2" in done.stdout
