"""The baseline: the project's own bronze/silver/gold definitions run as plain PySpark batch jobs.

A stand-in for the `dp` module records every dataset the helpers declare (`define_bronze`,
`define_silver`, `define_gold`); each is then computed once, in dependency order, with batch
reads in a classic `local[2]` session and written as Parquet (temporary views stay views).
So the baseline applies the very same typing, rule, dedup and gold functions as the pipeline,
without the Declarative Pipelines engine (no Spark Connect, no streaming, no metastore).

Run as a script by the benchmark (PYTHONPATH must hold the project's src/):
    python scripts/bench/baseline.py --project P --source DIR --out DIR --result FILE.json
"""

from __future__ import annotations

import argparse
import json
import re
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

LAYER_FUNCTIONS = {
    "define_bronze": "medallion.bronze",
    "define_silver": "medallion.silver",
    "define_gold": "medallion.gold",
}
# spark-defaults of the local runner that only concern its Hive/Derby catalog
CATALOG_KEYS = (
    "spark.sql.catalogImplementation",
    "spark.sql.warehouse.dir",
    "spark.hadoop.javax.jdo.option.ConnectionURL",
    "spark.driver.extraJavaOptions",
)
MASTER = "local[2]"
VIEW = "temporary_view"


@dataclass
class BatchPipeline:
    """Stand-in for `pyspark.pipelines`: records datasets, then computes them in batch on demand."""

    spark: Any
    out: Path
    queries: dict[str, tuple[str, Callable[[], Any]]] = field(default_factory=dict)
    done: dict[str, Any] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)

    def _register(self, kind: str, name: str | None) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
        def decorator(query: Callable[[], Any]) -> Callable[[], Any]:
            self.queries[name or query.__name__] = (kind, query)
            return query

        return decorator

    def table(self, name: str | None = None, **_: Any) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
        return self._register("table", name)

    def materialized_view(
        self, name: str | None = None, **_: Any
    ) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
        return self._register("materialized_view", name)

    def temporary_view(
        self, name: str | None = None, **_: Any
    ) -> Callable[[Callable[[], Any]], Callable[[], Any]]:
        return self._register(VIEW, name)

    def read(self, name: str) -> Any:
        """The dataset as a batch DataFrame: computed and written as Parquet on first use."""
        if name in self.done:
            return self.done[name]
        if name not in self.queries:
            return self.spark.read.table(name)
        kind, query = self.queries[name]
        if kind == VIEW:
            return query()
        started = time.monotonic()
        path = str(self.out / name)
        query().write.mode("overwrite").parquet(path)
        frame = self.spark.read.parquet(path)
        frame.createOrReplaceTempView(name)
        self.done[name] = frame
        self.seconds[name] = round(time.monotonic() - started, 2)
        return frame

    def referenced(self, sql: str) -> list[str]:
        """Declared datasets a SQL text names (aggregates name gold tables)."""
        return [n for n in self.queries if re.search(rf"(?<![\w]){re.escape(n)}(?![\w])", sql)]

    def run(self) -> dict[str, int]:
        """Compute every declared table and view; return rows per dataset."""
        for name, (kind, _) in self.queries.items():
            if kind != VIEW:
                self.read(name)
        return {name: int(frame.count()) for name, frame in self.done.items()}


@dataclass(frozen=True)
class BatchReader:
    """`spark.read` and `spark.readStream` in one: tables come from the pipeline, files from a batch read."""

    pipeline: BatchPipeline

    def table(self, name: str) -> Any:
        return self.pipeline.read(name)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.pipeline.spark.read, attribute)


@dataclass(frozen=True)
class BatchSpark:
    """The classic session as the helpers see it: streams become batch reads of the same sources."""

    pipeline: BatchPipeline

    @property
    def readStream(self) -> BatchReader:
        return BatchReader(self.pipeline)

    @property
    def read(self) -> BatchReader:
        return BatchReader(self.pipeline)

    def sql(self, query: str, *args: Any, **kwargs: Any) -> Any:
        for name in self.pipeline.referenced(query):
            self.pipeline.read(name)
        return self.pipeline.spark.sql(query, *args, **kwargs)

    def __getattr__(self, attribute: str) -> Any:
        return getattr(self.pipeline.spark, attribute)


def layer_functions(transformations: Path) -> list[Callable[[Any], None]]:
    """The define_* functions the project's transformation files call, in layer order."""
    import importlib

    text = "\n".join(p.read_text() for p in sorted(transformations.glob("*.py")))
    return [
        getattr(importlib.import_module(module), name)
        for name, module in LAYER_FUNCTIONS.items()
        if re.search(rf"\b{name}\(", text)
    ]


def classic_session(project: Path) -> Any:
    """A classic local[2] session with the runner's engine settings minus its catalog."""
    from pyspark.sql import SparkSession

    from medallion.tooling.local.config import spark_defaults
    from medallion.tooling.local.project import LocalProject

    builder = SparkSession.builder.master(MASTER).appName("medallion-bench-baseline")
    for key, value in spark_defaults(LocalProject(project)).items():
        if key not in CATALOG_KEYS:
            builder = builder.config(key, value)
    return builder.getOrCreate()


def run_baseline(spark: Any, project: Path, source: Path, out: Path) -> dict[str, Any]:
    """Declare the project's datasets against the batch stand-in and compute them all."""
    from medallion.context import PipelineContext, Settings
    from medallion.spec import load_spec
    from medallion.tooling.local.project import LocalProject

    local = LocalProject(project)
    settings = Settings(
        engine="local",
        spec_path=str(local.spec_path.resolve()),
        source_location=str(source.resolve()),
        update_id=uuid.uuid4().hex,
    )
    pipeline = BatchPipeline(spark, out)
    ctx = PipelineContext(BatchSpark(pipeline), pipeline, load_spec(local.spec_path), settings)
    for define in layer_functions(local.transformations):
        define(ctx)
    started = time.monotonic()
    rows = pipeline.run()
    return {"rows": rows, "seconds": pipeline.seconds, "compute_s": round(time.monotonic() - started, 2)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--project", type=Path, required=True)
    parser.add_argument("--source", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--result", type=Path, required=True)
    args = parser.parse_args(argv)
    started = time.monotonic()
    spark = classic_session(args.project)
    spark.sparkContext.setLogLevel("ERROR")
    try:
        result = run_baseline(spark, args.project, args.source, args.out)
    finally:
        spark.stop()
    result["wall_s"] = round(time.monotonic() - started, 2)
    args.result.write_text(json.dumps(result, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
