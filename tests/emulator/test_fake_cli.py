"""The fake `databricks` CLI answers bundle commands from the emulator's resolver and workspace."""

from __future__ import annotations

import json
from pathlib import Path

from tests.support.emulator.fake_cli import handle
from tests.support.emulator.privileges import Securable
from tests.support.emulator.resolve import resolve_target
from tests.support.emulator.server import DEPLOYER, Emulator


def emulator(tmp_path: Path, default_project: Path) -> Emulator:
    emulated = Emulator(tmp_path / "workspace")
    emulated.privileges.grant(Securable("CATALOG", "main"), DEPLOYER, ["USE CATALOG", "CREATE SCHEMA"])
    return emulated


def test_validate_prints_the_resolved_configuration(tmp_path, default_project):
    code, out, _ = handle(
        emulator(tmp_path, default_project),
        ["bundle", "validate", "-t", "prod", "-o", "json"],
        default_project,
    )
    assert code == 0
    assert json.loads(out) == json.loads(json.dumps(resolve_target(default_project, "prod").validate_json))


def test_unknown_target_and_undeployed_run_are_errors(tmp_path, default_project):
    emulated = emulator(tmp_path, default_project)
    code, _, err = handle(emulated, ["bundle", "validate", "-t", "nope"], default_project)
    assert code == 1 and err.startswith("Error:")
    code, _, err = handle(
        emulated, ["bundle", "run", "-t", "dev", "medallion_pipeline_job", "--no-wait"], default_project
    )
    assert code == 1 and "deploy first" in err


def test_deploy_registers_ids_that_summary_reports(tmp_path, default_project):
    emulated = emulator(tmp_path, default_project)
    code, _, err = handle(emulated, ["bundle", "deploy", "-t", "dev"], default_project)
    assert code == 0 and "Deployment complete!" in err
    _, out, _ = handle(emulated, ["bundle", "summary", "-t", "dev", "-o", "json"], default_project)
    resources = json.loads(out)["resources"]
    job_id = int(resources["jobs"]["medallion_pipeline_job"]["id"])
    assert emulated.jobs[job_id][1] == "medallion_pipeline_job"
    assert resources["pipelines"]["medallion_pipeline"]["id"] == emulated.fake.pipeline_id


def test_deploy_without_create_schema_on_the_catalog_is_refused(tmp_path, default_project):
    emulated = Emulator(tmp_path / "workspace")
    code, _, err = handle(emulated, ["bundle", "deploy", "-t", "dev"], default_project)
    assert code == 1
    assert "PERMISSION_DENIED: User does not have USE CATALOG on Catalog 'main'." in err
