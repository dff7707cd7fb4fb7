"""Columns the files name otherwise (`source_name`: `playerID`, `2B`, `park.key`) land in bronze
under the spec's names, from CSV, JSON and Parquet alike, and nothing else is rescued; on
Databricks the Auto Loader schema names the files' columns and the read renames them."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import yaml

from medallion import readers
from medallion.context import PipelineContext, Settings
from medallion.spec import load_spec

pytestmark = pytest.mark.spark

COLUMNS = {
    "player_id": {"type": "string", "source_name": "playerID"},
    "x2b": {"type": "int", "source_name": "2B"},
    "park_key": {"type": "string", "source_name": "park.key"},
    "note": "string",
}
RECORDS = [
    {"playerID": "aaronha01", "2B": "24", "park.key": "ATL01", "note": "a"},
    {"playerID": "ruthba01", "2B": "11", "park.key": "NYC16", "note": "b", "extra": "kept"},
]


def write_files(folder: Path, fmt: str) -> None:
    folder.mkdir(parents=True)
    if fmt == "csv":
        lines = ["playerID,2B,park.key,note", "aaronha01,24,ATL01,a", "ruthba01,11,NYC16,b"]
        (folder / "part.csv").write_text("\n".join(lines) + "\n")
    elif fmt == "json":
        (folder / "part.json").write_text("".join(json.dumps(r) + "\n" for r in RECORDS))
    else:
        table = pa.table({k: [r[k] for r in RECORDS] for k in ("playerID", "2B", "park.key", "note")})
        pq.write_table(table, folder / "part.parquet")


def context(spark: Any, tmp_path: Path, fmt: str) -> PipelineContext:
    document = {
        "version": 1,
        "defaults": {"source": {"type": "files", "format": fmt}},
        "sources": {"t": {"columns": COLUMNS, "primary_key": ["player_id"]}},
    }
    path = tmp_path / "medallion.yml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    settings = Settings(engine="local", spec_path=str(path), source_location=str(tmp_path / "raw"))
    return PipelineContext(spark, None, load_spec(path), settings)


@pytest.mark.parametrize("fmt", ["csv", "json", "parquet"])
def test_renamed_columns_arrive_under_the_spec_names(spark: Any, tmp_path: Path, fmt: str) -> None:
    write_files(tmp_path / "raw" / "t", fmt)
    ctx = context(spark, tmp_path, fmt)
    stream = readers.stream_builder(ctx, ctx.spec.sources[0])()
    name = f"renamed_{fmt}_{time.monotonic_ns()}"
    query = stream.writeStream.format("memory").queryName(name).trigger(availableNow=True).start()
    query.awaitTermination()
    frame = spark.table(name)
    rows = {row["player_id"]: row.asDict() for row in frame.collect()}
    assert {"player_id", "x2b", "park_key", "note"} <= set(frame.columns)
    assert not {"playerID", "2B", "park.key"} & set(frame.columns)
    assert str(rows["aaronha01"]["x2b"]) == "24" and rows["ruthba01"]["park_key"] == "NYC16"
    rescued = rows["aaronha01"]["_rescued_data"]
    assert rescued is None, rescued  # a renamed column is read, not rescued
    if fmt == "json":
        assert json.loads(rows["ruthba01"]["_rescued_data"]) == {"extra": "kept"}


def test_auto_loader_is_given_the_files_names_and_the_read_renames_them(spark: Any, tmp_path: Path) -> None:
    table = context(spark, tmp_path, "csv").spec.sources[0]
    assert readers.autoloader_schema(table) == (
        "`playerID` STRING, `2B` STRING, `park.key` STRING, `note` STRING"
    )
    renaming = readers.renaming(table)
    assert renaming == [
        "`playerID` AS `player_id`",
        "`2B` AS `x2b`",
        "`park.key` AS `park_key`",
        "* EXCEPT (`playerID`, `2B`, `park.key`)",
    ]
    renamed = spark.createDataFrame([("p", "1", "k", "n")], ["playerID", "2B", "park.key", "note"])
    assert renamed.selectExpr(*renaming).columns == ["player_id", "x2b", "park_key", "note"]
