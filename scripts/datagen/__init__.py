"""The project's own scale dataset: an airline operations domain of nine tables (datagen.domain).

`generate(out, rows, fmt, seed)` writes `<out>/<table>/part-*.{csv,parquet}` and
`<out>/manifest.json` (rows, files and seeded dirt per table) and returns the manifest.
Deterministic: the same rows, seed and format give byte-identical files. Command line:

    python scripts/datagen --rows 1000000 --format csv --out /tmp/airline --seed 7
"""

from __future__ import annotations

import json
import math
import shutil
from dataclasses import asdict
from pathlib import Path
from typing import Any

from datagen import domain
from datagen.airline import Airline, Plan
from datagen.writers import TableWriter

FORMATS = ("csv", "parquet", "mixed")
DEFAULT_SEED = 20250106
ROWS_PER_FILE = 120_000
CRLF_TABLES = {"airports": 1, "passengers": 2, "bookings": 2}
"""CSV files with CRLF line endings: every n-th file of these tables (the first included)."""


def table_format(table: str, fmt: str) -> str:
    """The file format of one table: `mixed` writes domain.PARQUET_IN_MIXED as Parquet."""
    if fmt == "mixed":
        return "parquet" if table in domain.PARQUET_IN_MIXED else "csv"
    return fmt


def file_count(planned_rows: int) -> int:
    """Big tables come in several files (2 to 8, about ROWS_PER_FILE rows each); small ones in one."""
    if planned_rows <= 0:
        return 1
    return max(2, min(8, math.ceil(planned_rows / ROWS_PER_FILE)))


def generate(out: Path, rows: int, fmt: str = "csv", seed: int = DEFAULT_SEED) -> dict[str, Any]:
    """Write the dataset for about `rows` rows in all under `out` (replaced); return the manifest."""
    if fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}: {fmt!r}")
    if rows < 1_000:
        raise ValueError(f"rows must be at least 1000: {rows}")
    plan = Plan(rows)
    for table in domain.TABLES:
        shutil.rmtree(out / table.name, ignore_errors=True)
    out.mkdir(parents=True, exist_ok=True)
    writers = {
        t.name: TableWriter(
            out,
            t,
            table_format(t.name, fmt),
            plan.planned(t.name),
            file_count(plan.planned(t.name)),
            CRLF_TABLES.get(t.name, 0),
        )
        for t in domain.TABLES
    }
    airline = Airline(plan, seed, lambda table, row: writers[table].add(row))
    airline.run()
    manifest: dict[str, Any] = {"rows": 0, "seed": seed, "format": fmt, "target_rows": rows, "tables": {}}
    for name, writer in writers.items():
        paths = writer.close()
        manifest["tables"][name] = {
            "format": table_format(name, fmt),
            "rows": writer.rows,
            "files": [str(p.relative_to(out)) for p in paths],
            **asdict(airline.counts[name]),
        }
        manifest["rows"] += writer.rows
    (out / "manifest.json").write_text(json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    return manifest
