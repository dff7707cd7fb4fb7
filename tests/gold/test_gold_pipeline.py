"""End-to-end: the retail star and the library star on the local engine (`medallion run-local`)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tests.gold.conftest import SPECS
from tests.gold.library_data import EXPECTED, write_sources
from tests.rendering import REPO, python_with_project, render_project

pytestmark = pytest.mark.pipeline


def run_local(project: Path, *args: str) -> tuple[dict[str, Any], str, float]:
    report = project / ".medallion" / f"report-{time.monotonic_ns()}.json"
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "medallion", "run-local", "--report-json", str(report), *args],
        cwd=project,
        env=python_with_project(project),
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-4000:]
    return json.loads(report.read_text()), output, time.monotonic() - started


def read_back(project: Path) -> dict[str, Any]:
    env = python_with_project(project)
    env["PYTHONPATH"] = f"{env['PYTHONPATH']}:{REPO}"
    done = subprocess.run(
        [sys.executable, "-m", "tests.gold.readback", str(project)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_project({}, tmp_path_factory.mktemp("gold_render"))


def test_retail_star_end_to_end_and_after_full_refresh(rendered: Path, tmp_path: Path) -> None:
    project = shutil.copytree(rendered, tmp_path / "retail")
    report, _, _ = run_local(project)
    manifest = json.loads((project / "fixtures" / "sample" / "manifest.json").read_text())
    seeded = {d["column"]: 0 for d in manifest["defects"] if d["expect"] == "orphan"}
    for defect in manifest["defects"]:
        if defect["expect"] == "orphan":
            seeded[defect["column"]] += 1
    sales = report["gold"]["fact_sales"]
    assert sales["orphans"] == {"customer": seeded["customer_id"], "product": seeded["product_id"]}
    first = read_back(project)
    facts = first["facts"]["sales"]
    assert facts["rows"] == facts["grains"] == facts["silver_rows"] == sales["rows"]
    assert facts["date_keys_missing"] == 0, "every fact date_key is in dim_date (-1 for the 2099 order)"
    first_day, last_day = first["dates"]
    assert "2024-01-01" <= first_day <= last_day <= "2024-03-01", "2099 stays out of dim_date"
    for measure, (gold, silver) in facts["sums"].items():
        assert gold == silver == sales["measures"][measure], measure
    run_local(project, "--full-refresh")
    assert read_back(project)["keys"] == first["keys"]


def test_library_star_from_its_spec_alone(rendered: Path, tmp_path: Path) -> None:
    project = shutil.copytree(rendered, tmp_path / "library")
    shutil.copy(SPECS / "library.yml", project / "medallion.yml")
    source = write_sources(project / "fixtures" / "library")
    report, _, _ = run_local(project, "--source", str(source))
    loans = report["gold"]["fact_loans"]
    assert loans["rows"] == EXPECTED["loans"] and loans["orphans"] == EXPECTED["orphans"]
    assert loans["measures"]["late_fee"] == str(EXPECTED["fees"])
    assert report["tables"]["dim_date"]["rows"] == EXPECTED["dates"] + 1
    assert report["tables"]["agg_region_month"]["rows"] >= 1
