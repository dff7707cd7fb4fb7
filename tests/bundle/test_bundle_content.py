"""What the default bundle promises: serverless pipeline on catalog + schema, published
event log, the monitor after the pipeline with run_if ALL_DONE, targets and modes."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.bundle import bundle_checks
from tests.rendering import render_project
from tests.support.toml import tomllib


@pytest.fixture(scope="module")
def config(default_project: Path) -> dict:
    return bundle_checks.merged_config(default_project)


def test_pipeline_is_serverless_with_catalog_schema_and_glob(config: dict) -> None:
    (pipeline,) = config["resources"]["pipelines"].values()
    assert pipeline["serverless"] is True
    assert pipeline["catalog"] == "${var.catalog}"
    assert pipeline["schema"].startswith("${resources.schemas.")
    assert "target" not in pipeline
    assert pipeline["libraries"] == [{"glob": {"include": "../src/medallion_pipeline/transformations/**"}}]
    assert pipeline["event_log"]["name"] == "medallion_pipeline_event_log"
    assert pipeline["configuration"]["medallion.engine"] == "databricks"
    assert "on-update-failure" in pipeline["notifications"][0]["alerts"]


def test_monitor_runs_after_pipeline_even_when_it_fails(config: dict) -> None:
    (job,) = (j for key, j in config["resources"]["jobs"].items() if key.endswith("_job"))
    tasks = {t["task_key"]: t for t in job["tasks"]}
    monitor = tasks["monitor"]
    assert monitor["run_if"] == "ALL_DONE"
    assert {"task_key": "run_pipeline"} in monitor["depends_on"]
    assert monitor["python_wheel_task"]["entry_point"] == "medallion"
    assert monitor["python_wheel_task"]["parameters"][0] == "monitor"
    environments = {e["environment_key"]: e for e in job["environments"]}
    assert environments[monitor["environment_key"]]["spec"]["dependencies"] == ["../dist/*.whl"]
    assert job["performance_target"] == "STANDARD"


def test_targets_and_modes(config: dict) -> None:
    targets = config["targets"]
    assert targets["dev"]["mode"] == "development" and targets["dev"]["default"] is True
    assert targets["dev"]["workspace"]["profile"] == "DEFAULT"
    assert targets["prod"]["mode"] == "production" and "profile" not in targets["prod"]["workspace"]
    assert targets["prod"]["resources"]["schemas"]
    assert "staging" in targets  # CI is on by default


def test_warehouse_name_is_looked_up_and_id_is_used_directly(tmp_path: Path) -> None:
    by_name = bundle_checks.merged_config(render_project({}, tmp_path / "name"))
    assert by_name["variables"]["warehouse_id"]["lookup"] == {"warehouse": "Serverless Starter Warehouse"}
    by_id = bundle_checks.merged_config(
        render_project({"sql_warehouse": "0123456789abcdef"}, tmp_path / "id")
    )
    assert by_id["variables"]["warehouse_id"]["default"] == "0123456789abcdef"


def test_prod_runs_as_service_principal_when_given(tmp_path: Path) -> None:
    app_id = "8f3c2a71-1b2c-4d5e-9f00-123456789abc"
    config = bundle_checks.merged_config(render_project({"prod_run_as": app_id}, tmp_path / "sp"))
    assert config["targets"]["prod"]["run_as"] == {"service_principal_name": app_id}
    without = bundle_checks.merged_config(render_project({}, tmp_path / "nosp"))
    assert "run_as" not in without["targets"]["prod"]


def test_no_secrets_or_real_hosts_in_generated_files(default_project: Path) -> None:
    import re

    pattern = re.compile(
        r"dapi[0-9a-f]{32}|\.cloud\.databricks\.com|\.azuredatabricks\.net|\.gcp\.databricks\.com"
    )
    # The secret checker and its tests name the patterns they look for.
    checker_files = {"src/medallion/tooling/checks/secrets.py", "tests/test_checks.py"}
    scanned = 0
    for path in default_project.rglob("*"):
        if str(path.relative_to(default_project)) in checker_files:
            continue
        if path.is_file() and path.suffix not in {".parquet"}:
            text = path.read_text(errors="ignore")
            assert not pattern.search(text), path
            scanned += 1
    assert scanned > 50, f"only {scanned} files scanned"


def test_dev_extra_provides_every_artifact_build_tool(default_project: Path) -> None:
    """A first-deploy defect: artifacts build with `uv build`, but nothing the project installs
    provided `uv`, so `databricks bundle deploy` failed in a fresh checkout."""
    import re

    import yaml

    bundle = yaml.safe_load((default_project / "databricks.yml").read_text())
    pyproject = tomllib.loads((default_project / "pyproject.toml").read_text())
    dev = pyproject["project"]["optional-dependencies"]["dev"]
    provided = {re.split(r"[^A-Za-z0-9_.-]", requirement, maxsplit=1)[0].lower() for requirement in dev}
    for name, artifact in bundle["artifacts"].items():
        tool = artifact["build"].split()[0]
        assert tool in provided, (
            f"artifact {name} builds with {tool!r}, not in the dev extra {sorted(provided)}"
        )
        # Serverless environments cache a wheel by version: each deploy must build a new one
        # (databricks/cli#1621; artifacts.<name>.dynamic_version, bundle/config/artifact.go).
        assert artifact["type"] != "whl" or artifact.get("dynamic_version") is True, name
