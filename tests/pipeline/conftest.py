"""Fixtures of the bronze/silver tests: the rendered retail project, local pipeline runs
(shared by the whole session: each run takes about a minute), one classic Spark session."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.pipeline.specs import without_gold
from tests.rendering import REPO, python_with_project, render_project

HELPERS = REPO / "template" / "{{.project_name}}" / "src"
if str(HELPERS) not in sys.path:
    sys.path.insert(0, str(HELPERS))


@pytest.fixture(scope="session")
def rendered_retail(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template rendered with default answers (retail sample, JSON files); read-only."""
    return render_project({}, tmp_path_factory.mktemp("pipeline_render"))


def copy_project(rendered: Path, target: Path) -> Path:
    """A private copy of a rendered project (runs write .medallion/ and fixtures/ into it)."""
    shutil.copytree(rendered, target, ignore=shutil.ignore_patterns(".medallion", "__pycache__"))
    return target


@dataclass(frozen=True)
class LocalRun:
    """One `medallion run-local` invocation."""

    returncode: int
    report: dict[str, Any]
    output: str
    wall_s: float


def run_local(project: Path, *args: str) -> LocalRun:
    """Run `python -m medallion run-local` in `project` (the runner takes the Spark lock)."""
    report_path = project / ".medallion" / f"report-{time.monotonic_ns()}.json"
    started = time.monotonic()
    completed = subprocess.run(
        [sys.executable, "-m", "medallion", "run-local", "--report-json", str(report_path), *args],
        cwd=project,
        env=python_with_project(project),
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    wall = time.monotonic() - started
    report = json.loads(report_path.read_text()) if report_path.exists() else {}
    return LocalRun(completed.returncode, report, completed.stdout + completed.stderr, wall)


@dataclass(frozen=True)
class RetailRuns:
    """The default project run twice: the second time after one new orders file landed."""

    project: Path
    first: LocalRun
    second: LocalRun
    manifest: dict[str, Any]
    new_orders: list[dict[str, Any]]


NEW_ORDERS_FILE = "part-0004.json"


def new_order_lines() -> list[dict[str, Any]]:
    """A fourth orders batch: two new order lines and a status change of an existing line."""
    base = {
        "customer_id": "C000010",
        "product_id": "P00003",
        "order_ts": "2024-03-05 10:00:00",
        "status": "placed",
        "quantity": 2,
        "unit_price": 10.5,
        "discount": 0,
        "updated_at": "2024-03-05 10:00:00",
    }
    return [
        {**base, "order_id": "N0000001", "line_number": 1},
        {**base, "order_id": "N0000001", "line_number": 2, "quantity": 1},
        {
            **base,
            "order_id": "O0000100",
            "line_number": 1,
            "status": "delivered",
            "updated_at": "2024-06-01 00:00:00",
        },
    ]


@pytest.fixture(scope="session")
def retail_runs(rendered_retail: Path, tmp_path_factory: pytest.TempPathFactory) -> RetailRuns:
    project = without_gold(copy_project(rendered_retail, tmp_path_factory.mktemp("retail_runs") / "project"))
    first = run_local(project)
    assert first.report, first.output
    manifest = json.loads((project / "fixtures" / "sample" / "manifest.json").read_text())
    lines = new_order_lines()
    (project / "fixtures" / "sample" / "orders" / NEW_ORDERS_FILE).write_text(
        "".join(json.dumps(line) + "\n" for line in lines)
    )
    second = run_local(project)
    assert second.report, second.output
    return RetailRuns(project, first, second, manifest, lines)


def warehouse_table(spark: Any, project: Path, name: str) -> Any:
    """A pipeline table read straight from its Parquet folder (no second Derby user)."""
    return spark.read.parquet(str(project / ".medallion" / "warehouse" / name))
