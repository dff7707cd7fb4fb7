"""Inputs of the airline benchmark: the scale dataset (scripts/datagen) in one format and a project
whose medallion.yml is what `medallion infer` drafts for it, unedited."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from datagen import DEFAULT_SEED, generate

from bench.data import project_env

INFER_TIMEOUT_S = 1800


@dataclass(frozen=True)
class AirlineInputs:
    """One size and format: the raw folder, the project drafted for it, what it took."""

    source: Path
    project: Path
    manifest: dict[str, Any]
    infer_s: float

    @property
    def rows(self) -> int:
        return int(self.manifest["rows"])


def write_data(source: Path, rows: int, fmt: str) -> dict[str, Any]:
    """The dataset for `rows` in `fmt` (reused when the folder already holds exactly that)."""
    manifest = source / "manifest.json"
    if manifest.exists():
        found = json.loads(manifest.read_text())
        if (found.get("target_rows"), found.get("format"), found.get("seed")) == (rows, fmt, DEFAULT_SEED):
            return found
    return generate(source, rows, fmt, DEFAULT_SEED)


def infer_project(rendered: Path, target: Path, source: Path) -> float:
    """Copy the rendered project to `target` and draft its spec from `source`; return infer's seconds."""
    shutil.rmtree(target, ignore_errors=True)
    shutil.copytree(rendered, target, ignore=shutil.ignore_patterns(".medallion", "__pycache__"))
    command = [sys.executable, "-m", "medallion", "infer", str(source), "--out", "medallion.yml", "--force"]
    started = time.monotonic()
    done = subprocess.run(
        command,
        cwd=target,
        env=project_env(target),
        capture_output=True,
        text=True,
        timeout=INFER_TIMEOUT_S,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"medallion infer failed on {source}:\n{done.stdout}\n{done.stderr}")
    return round(time.monotonic() - started, 2)


def prepare(work: Path, rendered: Path, rows: int, fmt: str) -> AirlineInputs:
    """Data and drafted project for one size and format, under `work`."""
    source = work / f"airline-{fmt}-{rows}"
    manifest = write_data(source, rows, fmt)
    infer_s = infer_project(rendered, work / f"airline-{fmt}-{rows}-project", source)
    return AirlineInputs(source, work / f"airline-{fmt}-{rows}-project", manifest, infer_s)
