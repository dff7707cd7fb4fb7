"""CSV files, Parquet files, the Delta stand-in and the Kafka replay in ONE local run.

Each source of the retail spec gets another source type; a fourth source reads the orders
as Parquet. Every seeded defect must land where the manifest says, for every source type.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import yaml

from medallion import naming
from medallion.retail_sample import generate, write_batch
from medallion.spec import Spec, load_spec
from tests.pipeline.defects import defect_problem
from tests.pipeline.specs import retail_document
from tests.support.connect_server import ConnectServer
from tests.support.local_run import LocalRun, copy_project, run_local, warehouse_table

pytestmark = pytest.mark.pipeline
# source -> (sample table, format, source type)
LAYOUT = {
    "customers": ("customers", "csv", "files"),
    "products": ("products", "json", "delta"),
    "orders": ("orders", "json", "kafka"),
    "orders_parquet": ("orders", "parquet", "files"),
}


@dataclass(frozen=True)
class MixedRun:
    project: Path
    run: LocalRun
    spec: Spec
    rows: dict[str, int]
    defects: list[dict[str, Any]]


def mixed_spec(rendered: Path) -> dict[str, Any]:
    document = retail_document(rendered)
    document.pop("gold", None)
    sources = document["sources"]
    sources["orders_parquet"] = {**sources["orders"], "source": {"path": "orders_parquet"}}
    for name, (_, fmt, source_type) in LAYOUT.items():
        block = sources[name].setdefault("source", {})
        block["type"] = source_type
        if source_type == "files":
            block["format"] = fmt
    return document


@pytest.fixture(scope="session")
def mixed_run(
    rendered_retail: Path, tmp_path_factory: pytest.TempPathFactory, shared_server: ConnectServer
) -> MixedRun:
    project = copy_project(rendered_retail, tmp_path_factory.mktemp("mixed") / "project")
    (project / "medallion.yml").write_text(yaml.safe_dump(mixed_spec(rendered_retail), sort_keys=False))
    sample = generate()
    root = project / "raw"
    rows = {}
    for source, (table, fmt, source_type) in LAYOUT.items():
        batches = sample.batches[table]
        for part, records in enumerate(batches, 1):
            if records:
                write_batch(root, source, part, records, fmt, source_type)
        rows[source] = sum(map(len, batches))
    run = run_local(project, "--source", str(root), server=shared_server)
    assert run.report, run.output
    return MixedRun(project, run, load_spec(project / "medallion.yml"), rows, sample.defects)


def test_every_source_type_completes(mixed_run: MixedRun) -> None:
    report = mixed_run.run.report
    assert report["status"] == "COMPLETED", mixed_run.run.output
    for source, rows in mixed_run.rows.items():
        assert report["tables"][naming.bronze_table(source)]["rows"] == rows, source
        assert report["conservation"][source]["balanced"], report["conservation"][source]


@pytest.mark.parametrize("source", sorted(LAYOUT))
def test_defects_land_where_expected(mixed_run: MixedRun, spark: Any, source: str) -> None:
    read = partial(warehouse_table, spark, mixed_run.run)
    table = LAYOUT[source][0]
    problems = [
        (d, defect_problem(read, mixed_run.spec, d, source)) for d in mixed_run.defects if d["table"] == table
    ]
    assert [p for p in problems if p[1]] == []


def test_kafka_replay_keeps_record_metadata(mixed_run: MixedRun, spark: Any) -> None:
    bronze = warehouse_table(spark, mixed_run.run, "bronze_orders")
    row = bronze.where("order_id = 'O0000001' AND line_number = '1'").orderBy("_kafka_offset").first()
    assert row["_kafka_topic"] == "orders" and row["_kafka_key"] == "O0000001|1"
    assert row["_source_file"] == f"kafka://orders/0/{row['_kafka_offset']}"
