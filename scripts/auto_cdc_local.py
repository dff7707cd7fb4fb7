"""Minimal reproduction: can open-source Spark Declarative Pipelines run AUTO CDC on our tables?

A five-line pipeline: a streaming table of change rows (JSON files) and an AUTO CDC SCD type 1
target fed by it, run with `spark-pipelines run` on the installed pyspark. It prints the
outcome: COMPLETED with the target's rows, or the engine's error class.

On pyspark 4.3.0 it fails with AUTOCDC_TARGET_DOES_NOT_SUPPORT_MERGE: the SCD processors
(`org.apache.spark.sql.pipelines.autocdc`) MERGE into the target, and local tables are Parquet
files (no Delta or Iceberg jar can be installed without Maven), which support no row-level
operations. So the local engine keeps the window plan for `silver_<t>` and SCD2 dimensions;
Databricks runs AUTO CDC.

    python scripts/auto_cdc_local.py [--remote sc://127.0.0.1:PORT]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

PIPELINE = """
from pyspark import pipelines as dp
from pyspark.sql import SparkSession

spark = SparkSession.active()


@dp.table(name="changes")
def changes():
    return spark.readStream.schema("id INT, value STRING, seq INT").json({folder!r})


dp.create_streaming_table("latest")
dp.create_auto_cdc_flow(
    target="latest", source="changes", keys=["id"], sequence_by="seq", stored_as_scd_type=1
)
"""
CHANGES = [
    {"id": 1, "value": "a", "seq": 1},
    {"id": 1, "value": "b", "seq": 2},
    {"id": 2, "value": "c", "seq": 1},
]


def reproduce(folder: Path, remote: str) -> tuple[str, str]:
    """Run the pipeline in `folder`: ("COMPLETED", "") or ("FAILED", the engine's AUTOCDC error line)."""
    (folder / "input").mkdir(parents=True)
    (folder / "input" / "part-0.json").write_text("".join(json.dumps(c) + "\n" for c in CHANGES))
    (folder / "cdc.py").write_text(PIPELINE.format(folder=str(folder / "input")))
    spec = {
        "name": "auto_cdc_repro",
        "storage": (folder / "storage").as_uri(),
        "libraries": [{"glob": {"include": "cdc.py"}}],
        "configuration": {"spark.sql.warehouse.dir": str(folder / "warehouse")},
    }
    (folder / "pipeline.yml").write_text(json.dumps(spec))
    import pyspark

    env = os.environ | {
        "SPARK_LOCAL_IP": "127.0.0.1",
        "SPARK_HOME": str(Path(pyspark.__file__).parent),
        "PYSPARK_PYTHON": sys.executable,
    }
    spec_path = str(folder / "pipeline.yml")
    if remote.startswith("sc://"):  # a running server: the pipelines CLI in Python connects to it
        command = [sys.executable, "-m", "pyspark.pipelines.cli", "run", "--spec", spec_path]
        env["SPARK_REMOTE"] = remote
    else:
        launcher = str(Path(sys.executable).parent / "spark-pipelines")
        command = [launcher, "--remote", remote, "run", "--spec", spec_path]
    done = subprocess.run(command, cwd=folder, env=env, capture_output=True, text=True)
    output = done.stdout + done.stderr
    if done.returncode == 0:
        return "COMPLETED", ""
    lines = [line.strip() for line in output.splitlines() if "AUTOCDC_" in line] or [output[-2000:]]
    return "FAILED", lines[0][lines[0].find("[AUTOCDC_") :]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--remote", default="local[1]", help="Spark Connect URL or local[N] (default)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="auto_cdc_") as folder:
        state, error = reproduce(Path(folder), args.remote)
    print(f"AUTO CDC on the local engine: {state}" + (f" ({error})" if error else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
