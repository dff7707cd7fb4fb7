"""The pipeline on local Apache Spark: it completes, keeps every row, and a second run changes nothing.

Two runs (a full refresh, then an incremental run with no new data) because some bugs only
show once the tables exist. Needs Java 17 and `pip install -e '.[local,dev]'`; ~1-2 minutes.
With MEDALLION_TEST_REMOTE=sc://HOST:PORT both runs go to that Spark Connect server instead
(`run-local --remote`, in the database named after the project), and no local server starts.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from medallion import naming
from medallion.retail_sample import SAMPLE_FOLDER, is_retail
from medallion.spec import Spec, load_spec

pytestmark = pytest.mark.pipeline
Report = dict[str, Any]
Runs = tuple[Report, Report]
REMOTE_ENV = "MEDALLION_TEST_REMOTE"


def run_local(root: Path, env: dict[str, str], report: Path, *extra: str) -> Report:
    remote = env.get(REMOTE_ENV, "").strip()
    where = ["--remote", remote] if remote else []
    command = [sys.executable, "-m", "medallion", "run-local", "--report-json", str(report), *where, *extra]
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, timeout=1200)
    output = f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert report.exists(), f"no report (exit {done.returncode}):\n{output}"
    return json.loads(report.read_text())


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory, root: Path, subprocess_env: dict[str, str]) -> Runs:
    """(first, second) reports: a full refresh, then an incremental run of the same data."""
    if shutil.which("java") is None:
        pytest.skip("Java 17 is needed for local runs")
    if importlib.util.find_spec("pyspark") is None:
        pytest.skip("pyspark is not installed: pip install -e '.[local,dev]'")
    spec = load_spec(root / "medallion.yml")
    if not (root / SAMPLE_FOLDER).is_dir() and not is_retail(spec):
        pytest.skip(f"no local data in {SAMPLE_FOLDER}: add fixtures to run the pipeline")
    folder = tmp_path_factory.mktemp("reports")
    first = run_local(root, subprocess_env, folder / "first.json", "--full-refresh")
    return first, run_local(root, subprocess_env, folder / "second.json")


def test_runs_complete(runs: Runs) -> None:
    for report in runs:
        assert report["status"] == "COMPLETED", report.get("errors")


def test_every_expected_table_is_there(runs: Runs, spec: Spec) -> None:
    tables = runs[0]["tables"]
    for table, layer in naming.expected_tables(spec).items():
        assert table in tables and tables[table]["rows"] is not None, f"{table} missing"
        assert tables[table]["layer"] == layer
    for source in spec.source_names:
        assert tables[naming.bronze_table(source)]["rows"] > 0, source


def test_every_bronze_row_is_kept_or_quarantined(runs: Runs, spec: Spec) -> None:
    for report in runs:
        rows = {name: info["rows"] for name, info in report["tables"].items()}
        for source in spec.source_names:
            bronze = rows[naming.bronze_table(source)]
            kept, rejected = rows[naming.history_table(source)], rows[naming.quarantine_table(source)]
            assert bronze == kept + rejected, f"{source}: {bronze} != {kept} + {rejected}"


def test_rule_figures_add_up(runs: Runs, spec: Spec) -> None:
    """Every row rule has figures, and passed + failed = the bronze rows it was checked on."""
    report = runs[0]
    rows = {name: info["rows"] for name, info in report["tables"].items()}
    names = {
        alias: source
        for source in spec.source_names
        for alias in (source, naming.bronze_table(source), naming.history_table(source))
    }
    reported = {(names.get(r["table"]), r["rule"]) for r in report["rules"]}
    for source in spec.sources:
        for rule in source.row_rules:
            assert (source.name, rule.name) in reported, f"no figures for {source.name}.{rule.name}"
    for figure in report["rules"]:
        bronze = rows[naming.bronze_table(names[figure["table"]])]
        assert figure["passed"] + figure["failed"] == bronze, figure


def test_second_run_changes_nothing(runs: Runs) -> None:
    first, second = ({n: i["rows"] for n, i in r["tables"].items()} for r in runs)
    assert second == first
