"""Random dirty change histories in three batches: the incremental runs, one full refresh over
the same files and an independent Python reference of the SCD rules agree.

Each batch is one JSON file of customer changes with duplicates, late and out-of-order
updates, NULL sequence values and keys, rows re-sent identically and rows replaced at the same
instant by a later file. After the third incremental run, `silver_customers` (latest per key)
and `dim_customer` (SCD2) must equal a `--full-refresh` run over the same files (surrogate keys
included) and the reference computed here from the history rows as the pipeline stored them.
"""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.gold.scd_reference import nulls_first, reference_versions
from tests.support.connect_server import ConnectServer
from tests.support.local_run import copy_project, run_local, warehouse_table

pytestmark = [pytest.mark.pipeline, pytest.mark.minutes]

KEY, TRACK, ATTRIBUTES = (
    "customer_id",
    ("email", "country", "segment"),
    ("name", "email", "country", "segment"),
)
SPEC = {
    "version": 1,
    "defaults": {"source": {"type": "files", "format": "json"}},
    "sources": {
        "customers": {
            "columns": {KEY: "string", **dict.fromkeys(ATTRIBUTES, "string"), "updated_at": "timestamp"},
            "primary_key": [KEY],
            "sequence_by": "updated_at",
            "expectations": [{"use": "not_null", "column": "updated_at", "action": "drop"}],
        }
    },
    "gold": {
        "dimensions": {
            "customer": {
                "source": "customers",
                "attributes": list(ATTRIBUTES),
                "scd": 2,
                "track": list(TRACK),
            }
        }
    },
}


def batches(seed: int, rows: int = 400) -> list[list[dict[str, Any]]]:
    """Three files of changes over few keys and instants: ties and re-sends are common."""
    rng = random.Random(seed)
    start = datetime(2024, 1, 1)

    def change() -> dict[str, Any]:
        def maybe(values: Sequence[Any], none_share: float) -> Any:
            return None if rng.random() < none_share else rng.choice(values)

        at = maybe([start + timedelta(days=d) for d in range(10)], 0.05)
        return {
            KEY: maybe([f"C{i:02d}" for i in range(12)], 0.03),
            "name": maybe(["Ann", "Bob"], 0.1),
            "email": maybe(["a@x.com", "b@x.com"], 0.1),
            "country": maybe(["US", "FR"], 0.05),
            "segment": maybe(["consumer", "corporate"], 0.05),
            "updated_at": at.isoformat(sep=" ") if at else None,
        }

    first = [change() for _ in range(rows)]
    resent = rng.sample(first, 40)  # the same rows again in a later file
    return [first, [change() for _ in range(rows)] + resent, [change() for _ in range(rows)] + resent[:10]]


def write_batch(project: Path, number: int, rows: list[dict[str, Any]]) -> None:
    folder = project / "raw" / "customers"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"part-{number:04d}.json").write_text("".join(json.dumps(r) + "\n" for r in rows))


def reference_latest(history: list[dict[str, Any]]) -> dict[str, set[tuple[Any, ...]]]:
    """Per key, the rows any tie-break may keep: greatest (updated_at, _ingested_at, _source_file)."""
    by_key: dict[str, list[dict[str, Any]]] = {}
    for row in history:
        if row[KEY] is not None:
            by_key.setdefault(row[KEY], []).append(row)
    order = ("updated_at", "_ingested_at", "_source_file")
    candidates = {}
    for key, rows in by_key.items():
        best = max(nulls_first([r[c] for c in order]) for r in rows)
        candidates[key] = {values(r) for r in rows if nulls_first([r[c] for c in order]) == best}
    return candidates


def values(row: dict[str, Any]) -> tuple[Any, ...]:
    return (row[KEY], *(row[a] for a in ATTRIBUTES))


def read(spark: Any, run: Any, table: str) -> list[dict[str, Any]]:
    return [r.asDict() for r in warehouse_table(spark, run, table).collect()]


def dimension(spark: Any, run: Any) -> set[tuple[Any, ...]]:
    rows = read(spark, run, "dim_customer")
    return {(r["customer_key"], *values(r), r["valid_from"], r["valid_to"], r["is_current"]) for r in rows}


@pytest.mark.parametrize("seed", [7])
def test_incremental_runs_equal_a_full_refresh_and_the_reference(
    rendered_retail: Path, tmp_path: Path, shared_server: ConnectServer, spark: Any, seed: int
) -> None:
    project = copy_project(rendered_retail, tmp_path / "project")
    (project / "medallion.yml").write_text(yaml.safe_dump(SPEC, sort_keys=False))
    source = ("--source", str(project / "raw"))
    for number, rows in enumerate(batches(seed), start=1):
        write_batch(project, number, rows)
        run = run_local(project, *source, server=shared_server)
        assert run.report.get("status") == "COMPLETED", run.output
    history = read(spark, run, "silver_customers_history")
    latest = {r[KEY]: values(r) for r in read(spark, run, "silver_customers")}
    incremental = dimension(spark, run)

    assert len(history) == run.report["tables"]["silver_customers_history"]["rows"] > 1000
    candidates = reference_latest(history)
    assert set(latest) == set(candidates) and all(latest[k] in candidates[k] for k in latest)
    expected = reference_versions(history, [KEY], ATTRIBUTES, TRACK, "updated_at")
    assert {v[1:] for v in incremental if v[0] != -1} == expected

    full = run_local(project, *source, "--full-refresh", server=shared_server)
    assert full.report.get("status") == "COMPLETED", full.output
    assert {r[KEY]: values(r) for r in read(spark, full, "silver_customers")} == latest
    assert dimension(spark, full) == incremental
