"""End-to-end: the retail star and the library star on the local engine (`medallion run-local`)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.gold.conftest import SPECS
from tests.gold.library_data import EXPECTED, write_sources
from tests.rendering import REPO, python_with_project
from tests.support.connect_server import ConnectServer
from tests.support.local_run import copy_project, readback_args, run_local

pytestmark = pytest.mark.pipeline


def run_ok(project: Path, server: ConnectServer, *args: str) -> dict[str, Any]:
    """run-local on the session's shared server; it must exit 0; its report."""
    run = run_local(project, *args, server=server)
    assert run.returncode == 0, run.output[-4000:]
    return run.report


def read_back(project: Path, server: ConnectServer) -> dict[str, Any]:
    env = python_with_project(project)
    env["PYTHONPATH"] = f"{env['PYTHONPATH']}:{REPO}"
    done = subprocess.run(
        [sys.executable, "-m", "tests.gold.readback", str(project), *readback_args(project, server)],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-4000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_retail_star_end_to_end_and_after_full_refresh(
    default_project: Path, tmp_path: Path, shared_server: ConnectServer
) -> None:
    project = copy_project(default_project, tmp_path / "retail")
    report = run_ok(project, shared_server)
    manifest = json.loads((project / "fixtures" / "sample" / "manifest.json").read_text())
    seeded = {d["column"]: 0 for d in manifest["defects"] if d["expect"] == "orphan"}
    for defect in manifest["defects"]:
        if defect["expect"] == "orphan":
            seeded[defect["column"]] += 1
    sales = report["gold"]["fact_sales"]
    assert sales["orphans"] == {"customer": seeded["customer_id"], "product": seeded["product_id"]}
    first = read_back(project, shared_server)
    facts = first["facts"]["sales"]
    assert facts["rows"] == facts["grains"] == facts["silver_rows"] == sales["rows"]
    assert facts["date_keys_missing"] == 0, "every fact date_key is in dim_date (-1 for the 2099 order)"
    first_day, last_day = first["dates"]
    assert "2024-01-01" <= first_day <= last_day <= "2024-03-01", "2099 stays out of dim_date"
    for measure, (gold, silver) in facts["sums"].items():
        assert gold == silver == sales["measures"][measure], measure
    run_ok(project, shared_server, "--full-refresh")
    assert read_back(project, shared_server)["keys"] == first["keys"]


def test_library_star_from_its_spec_alone(
    default_project: Path, tmp_path: Path, shared_server: ConnectServer
) -> None:
    project = copy_project(default_project, tmp_path / "library")
    shutil.copy(SPECS / "library.yml", project / "medallion.yml")
    source = write_sources(project / "fixtures" / "library")
    report = run_ok(project, shared_server, "--source", str(source))
    loans = report["gold"]["fact_loans"]
    assert loans["rows"] == EXPECTED["loans"] and loans["orphans"] == EXPECTED["orphans"]
    assert loans["measures"]["late_fee"] == str(EXPECTED["fees"])
    assert report["tables"]["dim_date"]["rows"] == EXPECTED["dates"] + 1
    assert report["tables"]["agg_region_month"]["rows"] >= 1
