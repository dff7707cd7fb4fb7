"""Inputs of the benchmark: a rendered default project, the retail sample at a size, a 1% increment."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
RENDERER = REPO / "scripts" / "bundle-init"
ORDER_ROWS_PER_SCALE = 298  # `medallion sample-data --scale 1` writes about 298 order lines
INCREMENT_FILE = "part-9001.json"
INCREMENT_PREFIX = "N"
LAYERS = ("bronze", "silver", "gold")


def scale_for(rows: int) -> int:
    """The sample's --scale giving about `rows` order rows."""
    return max(1, round(rows / ORDER_ROWS_PER_SCALE))


def project_env(project: Path) -> dict[str, str]:
    """Environment for `python -m medallion ...` with the project's src/ on the path."""
    path = os.pathsep.join(p for p in (str(project / "src"), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path, "SPARK_LOCAL_IP": "127.0.0.1"}


def render_project(work: Path, layers: tuple[str, ...] = LAYERS) -> Path:
    """Render the template (every default answer) afresh into work/render; return the project folder.

    Transformation files of layers not in `layers` are removed from this scratch copy (the
    baseline follows the transformation files, so both engines then skip the same layers).
    """
    target = work / "render"
    shutil.rmtree(target, ignore_errors=True)
    work.mkdir(parents=True, exist_ok=True)
    answers = work / "answers.json"
    answers.write_text("{}\n")
    subprocess.run(
        [str(RENDERER), "--config-file", str(answers), "--output-dir", str(target)],
        check=True,
        capture_output=True,
        text=True,
    )
    project = next(target.glob("*/medallion.yml")).parent
    for layer in set(LAYERS) - set(layers):
        for path in (project / "src").glob(f"*/transformations/{layer}.py"):
            path.unlink()
    return project


def write_sample(project: Path, out: Path, rows: int) -> dict[str, Any]:
    """`medallion sample-data` at the scale for `rows` (reused when already written); the manifest."""
    manifest = out / "manifest.json"
    if manifest.exists() and json.loads(manifest.read_text())["scale"] == scale_for(rows):
        return json.loads(manifest.read_text())
    command = [sys.executable, "-m", "medallion", "sample-data", "--out", str(out)]
    subprocess.run(
        [*command, "--scale", str(scale_for(rows))], check=True, env=project_env(project), capture_output=True
    )
    return json.loads(manifest.read_text())


def order_rows(manifest: dict[str, Any]) -> int:
    return int(manifest["tables"]["orders"]["rows"])


def increment_lines(source: Path, count: int) -> list[str]:
    """`count` new order lines: copies of existing lines under new order ids (same customers, products)."""
    lines: list[str] = []
    for part in sorted((source / "orders").glob("part-000*.json")):
        for line in part.read_text().splitlines():
            record = json.loads(line)
            if not record.get("order_id"):
                continue
            record["order_id"] = INCREMENT_PREFIX + str(record["order_id"])[1:]
            lines.append(json.dumps(record))
            if len(lines) == count:
                return lines
    return lines


def add_increment(source: Path, fraction: float, total_rows: int) -> tuple[Path, int]:
    """Write one new order file with `fraction` of the order rows; return it and its row count."""
    lines = increment_lines(source, max(1, round(total_rows * fraction)))
    path = source / "orders" / INCREMENT_FILE
    path.write_text("\n".join(lines) + "\n")
    return path, len(lines)


def remove_increment(source: Path) -> None:
    (source / "orders" / INCREMENT_FILE).unlink(missing_ok=True)
