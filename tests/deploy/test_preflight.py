"""`medallion deploy`'s preflight: before `bundle deploy`, the identity's Unity Catalog privileges
and its use of the SQL warehouse are asked of the fake workspace through the real SDK; what is
missing exits 2 naming the identity, the privilege, the securable and the fix."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from medallion.cli import main
from tests.deploy.conftest import install_fake_cli
from tests.support.fake_databricks import CATALOG_OWNER, DEPLOYER, FakeServer, FakeWorkspace, Fault

REPO = Path(__file__).resolve().parents[2]
SCHEMA = "main.retail"
EFFECTIVE = r"^/api/2\.1/unity-catalog/effective-permissions/"
# The fake CLI, but `bundle validate -o json` prints FAKE_VALIDATED (the schema resource and
# the current user that the real CLI's validate output holds).
VALIDATING_CLI = f"""
import os, sys
sys.path.insert(0, {str(REPO)!r})
from tests.support import fake_databricks_cli as base
args = sys.argv[1:]
if args[:2] == ["bundle", "validate"] and "json" in args:
    with open(os.environ["FAKE_CLI_LOG"], "a") as log:
        log.write(" ".join(args) + "\\n")
    print(os.environ["FAKE_VALIDATED"])
    sys.exit(0)
sys.exit(base.main(args))
"""


def validated(user: str = DEPLOYER) -> dict:
    """`bundle validate -o json` of a target with one schema resource (main.retail)."""
    pipeline = {"name": "retail_pipeline", "catalog": "main", "schema": "retail"}
    return {
        "bundle": {"name": "retail", "target": "dev"},
        "variables": {"warehouse_id": {"value": "wh-1234"}},
        "workspace": {"current_user": {"userName": user, "short_name": user.split("@")[0]}},
        "resources": {
            "schemas": {"retail_schema": {"catalog_name": "main", "name": "retail"}},
            "pipelines": {"retail_pipeline": pipeline},
        },
    }


@pytest.fixture
def cli_log(tmp_path: Path, server: FakeServer, monkeypatch: pytest.MonkeyPatch) -> Path:
    script = tmp_path / "validating_cli.py"
    script.write_text(VALIDATING_CLI)
    monkeypatch.setenv("FAKE_VALIDATED", json.dumps(validated()))
    return install_fake_cli(script, tmp_path, server, monkeypatch)


@pytest.fixture
def new_schema(workspace: FakeWorkspace) -> FakeWorkspace:
    """main.retail does not exist yet and nobody holds anything on the catalog."""
    workspace.schema_owners.clear()
    workspace.grants.clear()
    return workspace


def deploy(project: Path, *args: str) -> int:
    return main(
        ["deploy", "--spec", str(project / "medallion.yml"), "-t", "dev", "--poll-interval", "1", *args]
    )


def error_line(err: str) -> str:
    lines = [line for line in err.splitlines() if line.startswith("deploy: ")]
    assert len(lines) == 1 and "Traceback" not in err, err
    return lines[0]


def asked(workspace: FakeWorkspace, pattern: str) -> list[tuple[str, dict]]:
    """Paths and queries of the GET requests whose path matches `pattern` (a regex)."""
    return [
        (path, query)
        for method, path, query in workspace.requests
        if method == "GET" and re.match(pattern, path)
    ]


@pytest.mark.parametrize("grantee", [DEPLOYER, "data-engineers", "account users"])
def test_an_identity_with_the_grants_passes_and_the_deploy_proceeds(
    project: Path, cli_log: Path, new_schema: FakeWorkspace, capsys: pytest.CaptureFixture, grantee: str
) -> None:
    """(a) USE CATALOG and CREATE SCHEMA on the catalog, granted to the deployer, one of its
    groups or `account users`: the schema may be created."""
    new_schema.current_groups = ["data-engineers"]
    new_schema.grant("CATALOG", "main", grantee, "USE_CATALOG", "CREATE_SCHEMA")
    assert deploy(project) == 0
    assert "bundle deploy -t dev" in cli_log.read_text().splitlines()
    assert f"preflight: {DEPLOYER} may deploy to {SCHEMA}" in capsys.readouterr().err
    principals = [q.get("principal") for _, q in asked(new_schema, EFFECTIVE + "catalog/main$")]
    assert principals[0] == DEPLOYER and principals[-1] == grantee


def test_no_create_schema_for_a_new_schema_is_refused_before_bundle_deploy(
    project: Path, cli_log: Path, new_schema: FakeWorkspace, capsys: pytest.CaptureFixture
) -> None:
    """(b) The schema does not exist and the deployer may only use the catalog."""
    new_schema.grant("CATALOG", "main", DEPLOYER, "USE_CATALOG")
    assert deploy(project, "--setup-sql") == 2
    calls = cli_log.read_text().splitlines()
    assert not any(c.startswith("bundle deploy") for c in calls), calls
    assert error_line(capsys.readouterr().err) == (
        f"deploy: {DEPLOYER} lacks CREATE SCHEMA on catalog main: the catalog's owner runs sql/setup.sql "
        f"(or: GRANT USE CATALOG, CREATE SCHEMA ON CATALOG `main` TO `{DEPLOYER}`)"
    )


def test_the_setup_sql_runs_before_the_catalog_is_checked(
    project: Path, cli_log: Path, new_schema: FakeWorkspace
) -> None:
    """--setup-sql grants what a first deploy needs: the catalog is checked after it ran."""
    new_schema.grant("CATALOG", "main", DEPLOYER, "USE_CATALOG", "CREATE_SCHEMA")
    assert deploy(project, "--setup-sql") == 0
    order = [p for _, p, _ in new_schema.requests if p.startswith(("/api/2.0/sql/statements", "/api/2.1"))]
    first_uc = next(i for i, p in enumerate(order) if p.startswith("/api/2.1/unity-catalog/catalogs"))
    statements = [s for s, _ in new_schema.statements]
    assert statements[0] == "SELECT 1" and statements[1].startswith("CREATE SCHEMA")
    assert order[:first_uc].count("/api/2.0/sql/statements") == 3  # SELECT 1 and the two setup statements


def test_no_warehouse_access_is_refused_before_any_sql(
    project: Path, cli_log: Path, workspace: FakeWorkspace, capsys: pytest.CaptureFixture
) -> None:
    """(c) The deployer may create the schema but not use the SQL warehouse."""
    workspace.warehouse_users = {"someone.else@example.com"}
    assert deploy(project, "--setup-sql") == 2
    assert not any(c.startswith("bundle deploy") for c in cli_log.read_text().splitlines())
    assert workspace.statements == []  # sql/setup.sql did not run either
    line = error_line(capsys.readouterr().err)
    assert line.startswith(f"deploy: {DEPLOYER} cannot use SQL warehouse wh-1234: grant it CAN USE")
    assert "databricks warehouses update-permissions wh-1234" in line and '"CAN_USE"' in line


def test_an_existing_schema_the_identity_owns_needs_no_create_schema(
    project: Path, cli_log: Path, workspace: FakeWorkspace, capsys: pytest.CaptureFixture
) -> None:
    """(d) The schema exists, owned by the deployer: USE CATALOG is enough."""
    workspace.grants.clear()
    workspace.grant("CATALOG", "main", DEPLOYER, "USE_CATALOG")
    workspace.schema_owners[SCHEMA] = DEPLOYER
    assert deploy(project) == 0
    assert "bundle deploy -t dev" in cli_log.read_text().splitlines()
    assert asked(workspace, rf"^/api/2\.1/unity-catalog/schemas/{SCHEMA}$")
    assert not asked(workspace, EFFECTIVE + "schema/")  # its owner holds USE SCHEMA
    assert f"preflight: {DEPLOYER} may deploy to {SCHEMA}" in capsys.readouterr().err


def test_an_existing_schema_owned_by_another_needs_use_schema(
    project: Path, cli_log: Path, workspace: FakeWorkspace, capsys: pytest.CaptureFixture
) -> None:
    workspace.grants.clear()
    workspace.grant("CATALOG", "main", DEPLOYER, "USE_CATALOG")
    workspace.schema_owners[SCHEMA] = "other.engineer@example.com"
    assert deploy(project) == 2
    assert error_line(capsys.readouterr().err) == (
        f"deploy: {DEPLOYER} lacks USE SCHEMA on schema {SCHEMA}: the schema's owner "
        f"(other.engineer@example.com) runs: GRANT USE SCHEMA ON SCHEMA `main`.`retail` TO `{DEPLOYER}`"
    )
    workspace.grant("SCHEMA", SCHEMA, DEPLOYER, "USE_SCHEMA")
    assert deploy(project) == 0


def test_the_catalog_owner_needs_no_grant(project: Path, cli_log: Path, new_schema: FakeWorkspace) -> None:
    new_schema.catalog_owners["main"] = DEPLOYER
    assert deploy(project) == 0
    assert asked(new_schema, r"^/api/2\.1/unity-catalog/catalogs/main$")
    assert not asked(new_schema, EFFECTIVE)  # its owner holds every privilege on it


def test_a_missing_catalog_names_the_setup(
    project: Path, cli_log: Path, workspace: FakeWorkspace, capsys: pytest.CaptureFixture
) -> None:
    workspace.catalog_owners.clear()
    assert deploy(project) == 2
    assert error_line(capsys.readouterr().err) == (
        "deploy: catalog main does not exist: run sql/setup.sql as a metastore admin"
    )


@pytest.mark.parametrize(
    "fault",
    [
        Fault(429, "REQUEST_LIMIT_EXCEEDED", "Too many requests.", retry_after=1),
        Fault(503, "TEMPORARILY_UNAVAILABLE", "The service is temporarily unavailable."),
        Fault(502, "BAD_GATEWAY", "", body="<html>502 Bad Gateway</html>", content_type="text/html"),
    ],
    ids=["429", "503", "502-html"],
)
def test_a_throttled_or_unavailable_permissions_api_is_retried(
    project: Path, cli_log: Path, new_schema: FakeWorkspace, fault: Fault
) -> None:
    """(e) effective-permissions answers 429 / 503 (the SDK retries them) or a proxy's 502 (the
    deploy's own retry) twice, then the grants."""
    new_schema.grant("CATALOG", "main", DEPLOYER, "USE_CATALOG", "CREATE_SCHEMA")
    new_schema.fail("GET", EFFECTIVE, fault, times=2)
    assert deploy(project) == 0
    assert len(asked(new_schema, EFFECTIVE)) == 3
    assert "bundle deploy -t dev" in cli_log.read_text().splitlines()


def test_a_hanging_permissions_api_ends_at_the_deadline(
    project: Path, cli_log: Path, workspace: FakeWorkspace, capsys: pytest.CaptureFixture
) -> None:
    workspace.grants.clear()
    workspace.schema_owners.clear()
    workspace.fail("GET", EFFECTIVE, Fault(200, "", "", hang=True), forever=True)
    assert deploy(project, "--timeout", "3") == 3
    assert not any(c.startswith("bundle deploy") for c in cli_log.read_text().splitlines())
    assert error_line(capsys.readouterr().err) == (
        "deploy: timeout: GET /api/2.1/unity-catalog/effective-permissions/catalog/main did not answer; "
        "the --timeout of 3 s ran out"
    )


def test_the_cli_identity_is_the_one_checked_for_the_catalog(
    project: Path,
    cli_log: Path,
    new_schema: FakeWorkspace,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture,
) -> None:
    """`bundle deploy` runs as the CLI's user (validate's current_user), who creates the schema;
    the API's identity (SCIM Me) is the one that uses the warehouse."""
    ci = "6f1d2c3b-0a9e-4d8f-b7c6-5e4d3c2b1a09"
    monkeypatch.setenv("FAKE_VALIDATED", json.dumps(validated(ci)))
    new_schema.grant("CATALOG", "main", DEPLOYER, "USE_CATALOG", "CREATE_SCHEMA")
    assert deploy(project) == 2
    assert f"deploy: {ci} lacks USE CATALOG and CREATE SCHEMA on catalog main" in capsys.readouterr().err
    new_schema.grant("CATALOG", "main", ci, "USE_CATALOG", "CREATE_SCHEMA")
    assert deploy(project) == 0


def test_the_default_fake_lets_the_deploy_through(
    project: Path, cli_log: Path, workspace: FakeWorkspace
) -> None:
    """The fake's defaults: the deployer may use the catalog and owns the schema."""
    assert workspace.catalog_owners == {"main": CATALOG_OWNER}
    assert deploy(project) == 0
    assert asked(workspace, r"^/api/2\.0/preview/scim/v2/Me$")
    assert [q["principal"] for _, q in asked(workspace, EFFECTIVE)] == [DEPLOYER]
