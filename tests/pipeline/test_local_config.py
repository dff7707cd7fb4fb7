"""The local runner's generated files, command line, progress parsing and lock (no Spark)."""

from __future__ import annotations

import fcntl
import shutil
import sys
from pathlib import Path

from pyspark.pipelines.cli import load_pipeline_spec

from medallion.tooling.local.config import spark_defaults, write_conf_dir, write_pipeline_spec
from medallion.tooling.local.lock import spark_lock
from medallion.tooling.local.pipeline import command
from medallion.tooling.local.progress import FlowProgress
from medallion.tooling.local.project import LocalProject


def project_copy(rendered: Path, tmp_path: Path) -> LocalProject:
    shutil.copytree(rendered, tmp_path / "p")
    return LocalProject(tmp_path / "p")


def test_pipeline_spec_loads_with_pyspark(rendered_retail: Path, tmp_path: Path) -> None:
    project = project_copy(rendered_retail, tmp_path)
    path = write_pipeline_spec(project, tmp_path / "data", "u1")
    assert path.parent == project.state
    spec = load_pipeline_spec(path)
    assert spec.storage.startswith("file:///") and spec.storage.endswith("/.medallion/storage")
    assert (spec.catalog, spec.database) == ("spark_catalog", "default")
    assert dict(spec.configuration) == {
        "medallion.engine": "local",
        "medallion.spec_path": str(project.spec_path.resolve()),
        "medallion.source_location": str((tmp_path / "data").resolve()),
        "medallion.update_id": "u1",
    }
    [library] = spec.libraries
    found = sorted(p.name for p in path.parent.glob(library.include) if p.is_file())
    assert {"bronze.py", "silver.py"} <= set(found)


def test_spark_conf_dir_is_loopback_hive_and_quiet(rendered_retail: Path, tmp_path: Path) -> None:
    project = project_copy(rendered_retail, tmp_path)
    conf = write_conf_dir(project)
    defaults = (conf / "spark-defaults.conf").read_text()
    for key in ("spark.connect.grpc.binding.address", "spark.driver.bindAddress", "spark.driver.host"):
        assert f"{key} 127.0.0.1" in defaults
    assert "spark.sql.catalogImplementation hive" in defaults and "spark.ui.enabled false" in defaults
    assert (
        str(project.state.resolve() / "metastore_db")
        in spark_defaults(project)["spark.hadoop.javax.jdo.option.ConnectionURL"]
    )
    assert "rootLogger.level = error" in (conf / "log4j2.properties").read_text()


def test_command_line(tmp_path: Path) -> None:
    env = {"PATH": str(Path(sys.executable).parent)}
    spec = tmp_path / "spark-pipeline.yml"
    assert command(spec, False, env)[1:] == ["--remote", "local[2]", "run", "--spec", str(spec)]
    assert command(spec, True, env)[-1] == "--full-refresh-all"


def test_progress_keeps_flow_states_and_other_lines() -> None:
    echoed: list[str] = []
    progress = FlowProgress(echo=echoed.append)
    for line in [
        "2026-01-01 10:00:00: Flow spark_catalog.default.bronze_orders is RUNNING.",
        "2026-01-01 10:00:01: Flow spark_catalog.default.bronze_orders has FAILED.",
        "java.lang.RuntimeException: boom",
        "2026-01-01 10:00:02: Run is FAILED.",
    ]:
        progress.feed(line)
    assert progress.flows == {"bronze_orders": "FAILED"}
    assert progress.failed_flows == ["bronze_orders"] and progress.run_state == "FAILED"
    assert progress.other_lines == ["java.lang.RuntimeException: boom"]
    assert len(echoed) == 2 and "bronze_orders" in echoed[0]


def test_a_completed_run_completed_the_flows_whose_last_event_was_lost() -> None:
    progress = FlowProgress(echo=lambda _: None)
    for line in [
        "2026-01-01 10:00:00: Flow spark_catalog.default.silver_orders is QUEUED.",
        "2026-01-01 10:00:00: Flow spark_catalog.default.dim_customer is QUEUED.",
        "2026-01-01 10:00:01: Flow spark_catalog.default.silver_orders is RUNNING.",
        "2026-01-01 10:00:02: Run is COMPLETED.",
    ]:
        progress.feed(line)
    assert progress.final_flows() == {"silver_orders": "COMPLETED", "dim_customer": "QUEUED"}
    progress.feed("2026-01-01 10:00:03: Run is FAILED.")
    assert progress.final_flows() == {"silver_orders": "RUNNING", "dim_customer": "QUEUED"}


def test_lock_is_exclusive(tmp_path: Path) -> None:
    path = tmp_path / "spark.lock"
    with spark_lock(path), path.open("a") as other:
        try:
            fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pass
        else:
            raise AssertionError("the lock was not held")


def test_without_a_terminal_one_line_per_layer_with_what_is_left(default_project: Path) -> None:
    """Non-terminal output: a line per completed layer (elapsed, tables, an estimate of the
    rest), a failure at once; 18 tables print 5 lines, not one per flow state change."""
    from medallion import naming
    from medallion.spec import load_spec

    layers = naming.expected_tables(load_spec(default_project / "medallion.yml"))
    echoed: list[str] = []
    progress = FlowProgress(echo=echoed.append, layers=dict(layers))
    order = sorted(
        layers,
        key=lambda t: ["bronze", "silver_history", "quarantine", "silver", "gold", "quality"].index(
            layers[t]
        ),
    )
    for table in order:
        for state in ("QUEUED", "STARTING", "RUNNING", "COMPLETED"):
            progress.feed(f"2026-01-01 10:00:00: Flow spark_catalog.default.{table} is {state}.")
    assert [line.split("s  ", 1)[1].split(" (")[0] for line in echoed] == [
        "bronze done",
        "silver history and quarantine done",
        "silver done",
        "gold done",
        "quality metrics done",
    ], echoed
    assert all("left" in line for line in echoed[:4]) and "left" not in echoed[4]
    progress.feed("2026-01-01 10:00:01: Flow spark_catalog.default.fact_sales has FAILED.")
    assert echoed[-1].endswith("fact_sales FAILED")
