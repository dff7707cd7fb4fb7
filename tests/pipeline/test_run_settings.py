"""A run's Spark settings follow the size of its source data, and Spark honours them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from pyspark.pipelines.cli import load_pipeline_spec

from medallion.retail_sample import write_sample
from medallion.tooling.local.config import write_pipeline_spec
from medallion.tooling.local.project import LocalProject
from medallion.tooling.local.run_settings import (
    CODEGEN_FACTORY_MODE,
    INTERPRETED_BELOW_BYTES,
    MIB,
    NO_SLEEP_BELOW_BYTES,
    SCHEDULER_SLEEP_S,
    WHOLE_STAGE_CODEGEN,
    for_source,
    source_bytes,
)
from tests.rendering import TEMPLATE_SRC, python_with_project
from tests.support.connect_server import ConnectServer


def sparse_file(path: Path, size: int) -> Path:
    """A file of `size` bytes that takes no disk space."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.truncate(size)
    return path


def test_the_retail_sample_is_run_interpreted_and_without_scheduler_sleeps(tmp_path: Path) -> None:
    write_sample(tmp_path, "json", "files")
    settings = for_source(sorted(p for p in tmp_path.iterdir() if p.is_dir()))
    assert 0 < settings.source_bytes < MIB
    assert settings.sql_conf == {
        WHOLE_STAGE_CODEGEN: "false",
        CODEGEN_FACTORY_MODE: "NO_CODEGEN",
        SCHEDULER_SLEEP_S: "0",
    }
    assert settings.describe()["generated_code"] is False
    assert settings.describe()["scheduler_sleep_s"] == 0


@pytest.mark.parametrize(
    ("size", "compiled", "sleep_s"),
    [
        (INTERPRETED_BELOW_BYTES - 1, False, 0),
        (INTERPRETED_BELOW_BYTES, True, 0),
        (NO_SLEEP_BELOW_BYTES - 1, True, 0),
        (NO_SLEEP_BELOW_BYTES, True, 1),
    ],
)
def test_the_thresholds_count_every_table_folder(
    tmp_path: Path, size: int, compiled: bool, sleep_s: int
) -> None:
    """The size is the sum over the tables' folders, nested files included."""
    sparse_file(tmp_path / "orders" / "2026" / "part-1.json", size // 2)
    sparse_file(tmp_path / "customers" / "part-1.json", size - size // 2)
    settings = for_source([tmp_path / "orders", tmp_path / "customers", tmp_path / "missing"])
    described = settings.describe()
    assert (described["generated_code"], described["scheduler_sleep_s"]) == (compiled, sleep_s)
    assert settings.source_bytes == size


def test_a_huge_source_is_not_walked_to_its_end(tmp_path: Path) -> None:
    for folder in range(40):
        sparse_file(tmp_path / "t" / f"{folder:02d}" / "part.parquet", 10 * MIB)
    counted = source_bytes([tmp_path / "t"], limit=30 * MIB)
    assert 30 * MIB <= counted < 40 * MIB
    assert for_source([tmp_path / "t"]).describe()["source_bytes_is_lower_bound"] is True


def test_the_pipeline_spec_carries_the_settings(rendered_retail: Path, tmp_path: Path) -> None:
    """pyspark's own spec loader reads them as the `configuration` its CLI sets on its session."""
    project = LocalProject(Path(shutil.copytree(rendered_retail, tmp_path / "p")))
    settings = for_source([])
    spec = load_pipeline_spec(write_pipeline_spec(project, tmp_path, "u1", sql_conf=settings.sql_conf))
    configuration = dict(spec.configuration)
    assert {k: configuration[k] for k in settings.sql_conf} == settings.sql_conf
    assert configuration["medallion.update_id"] == "u1"


# In a fresh interpreter: pyspark refuses a remote session in a process that already runs a
# classic one (SESSION_ALREADY_EXIST), as an xdist worker may.
PLANS = """
import json, sys
from medallion.tooling.local.connect_server import Endpoint
from medallion.tooling.local.run_settings import for_source
from medallion.tooling.local.session import open_session
plans = {}
for name, conf in (("small", for_source([]).sql_conf), ("default", {})):
    spark = open_session(Endpoint(sys.argv[1]), "default", sql_conf=conf)
    plans[name] = spark.sql("EXPLAIN SELECT id * 2 AS twice FROM range(10) WHERE id > 3").first()[0]
    plans[name + "_sleep"] = spark.conf.get("spark.sql.pipelines.execution.streamstate.pollingInterval")
    spark.stop()
print(json.dumps(plans))
"""


def test_spark_plans_a_small_run_without_generated_code(shared_server: ConnectServer) -> None:
    """The keys still mean what they meant: on a server of this Spark, a session with a small
    run's settings plans no whole-stage code generation, and Spark's default does."""
    done = subprocess.run(
        [sys.executable, "-c", PLANS, shared_server.url],
        env=python_with_project(TEMPLATE_SRC.parent),
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    plans = json.loads(done.stdout.strip().splitlines()[-1])
    assert "WholeStageCodegen" in plans["default"] or "*(1)" in plans["default"], plans["default"]
    assert "WholeStageCodegen" not in plans["small"] and "*(1)" not in plans["small"], plans["small"]
    assert plans["small_sleep"] == "0" and plans["default_sleep"] in ("1", "1s", "1000ms"), plans
