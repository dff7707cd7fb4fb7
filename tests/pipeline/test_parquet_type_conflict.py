"""One Parquet file whose column has another type: the source's stream is still defined (the
spec's types are read), a warning names the table, and reading the file that does not convert
fails with its path; files that agree read as before."""

from __future__ import annotations

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


def context(spark: Any, tmp_path: Path) -> PipelineContext:
    document = {
        "version": 1,
        "defaults": {"source": {"type": "files", "format": "parquet"}},
        "sources": {"orders": {"columns": {"id": "int", "quantity": "int"}, "primary_key": ["id"]}},
    }
    path = tmp_path / "medallion.yml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    settings = Settings(engine="local", spec_path=str(path), source_location=str(tmp_path / "raw"))
    return PipelineContext(spark, None, load_spec(path), settings)


def drain(spark: Any, stream: Any) -> list[Any]:
    name = f"conflict_{time.monotonic_ns()}"
    query = stream.writeStream.format("memory").queryName(name).trigger(availableNow=True).start()
    query.awaitTermination()
    return spark.table(name).collect()


def test_a_file_with_another_type_is_named_and_the_rest_reads(
    spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    folder = tmp_path / "raw" / "orders"
    folder.mkdir(parents=True)
    pq.write_table(
        pa.table({"id": pa.array([1, 2], pa.int32()), "quantity": pa.array([3, 4], pa.int32())}),
        folder / "a.parquet",
    )
    ctx = context(spark, tmp_path)
    assert len(drain(spark, readers.stream_builder(ctx, ctx.spec.sources[0])())) == 2
    pq.write_table(
        pa.table({"id": pa.array([5], pa.int32()), "quantity": pa.array(["five"])}), folder / "b.parquet"
    )
    build = readers.stream_builder(ctx, ctx.spec.sources[0])  # defined: the merge failure is not fatal
    assert "source orders: the Parquet files under" in capsys.readouterr().err
    with pytest.raises(Exception) as failed:
        drain(spark, build())
    assert "b.parquet" in str(failed.value)
