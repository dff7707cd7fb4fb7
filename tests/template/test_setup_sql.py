"""sql/setup.sql: least-privilege grants with every name quoted, refused answers never rendered."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.rendering import OFFLINE_ENV
from tests.template.sql_grants import Grant, grants, statements

DEPLOYER = OFFLINE_ENV["DATABRICKS_USER_NAME"]
SP = "8f3c2a71-1b2c-4d5e-9f00-123456789abc"
REPO = Path(__file__).resolve().parents[2]
SCHEMA_JSON = json.loads((REPO / "databricks_template_schema.json").read_text())

# Valid by every prompt pattern, but as awkward as possible for SQL text.
HOSTILE = {
    "project_name": "grant",
    "pipeline_name": "drop_table",
    "catalog": "select",
    "schema": "from_",
    "grantee": "Data Team -- ops+x@corp.example.com",
    "prod_run_as": SP,
    "catalog_managed_location": "abfss://c@acct.dfs.core.windows.net/p--x/a.b",
    "source_type": "files",
    "source_location": "/Volumes/Raw-Cat/in-bound/land_ing/a.b-c",
    "sql_warehouse": "0123456789abcdef",
}


def setup_sql(project: Path) -> str:
    return (project / "sql" / "setup.sql").read_text()


def by_principal(found: list[Grant], principal: str) -> list[Grant]:
    return [g for g in found if g.principal == principal]


def test_hostile_answers_render_quoted_least_privilege(render_answers) -> None:
    sql = setup_sql(render_answers(**HOSTILE))
    found = grants(sql)  # raises NotQuoted unless every securable/principal is one quoted identifier
    assert {g.principal for g in found} == {DEPLOYER, SP, HOSTILE["grantee"]}
    assert Grant(("USE CATALOG",), "CATALOG", ("select",), HOSTILE["grantee"]) in found
    # The deployer creates the schema; the run_as principal only enters the catalog (the bundle
    # grants it the schema in staging and prod).
    assert Grant(("USE CATALOG", "CREATE SCHEMA"), "CATALOG", ("select",), DEPLOYER) in found
    assert Grant(("USE CATALOG",), "CATALOG", ("select",), SP) in found
    for identity in (DEPLOYER, SP):
        assert Grant(("READ VOLUME",), "VOLUME", ("Raw-Cat", "in-bound", "land_ing"), identity) in found
        assert Grant(("USE SCHEMA",), "SCHEMA", ("Raw-Cat", "in-bound"), identity) in found
    # The bundle's own schema is granted by the bundle (schema resource), never here.
    assert not [g for g in found if g.securable[:2] == ("select", "from_")]
    assert all("ALL PRIVILEGES" not in g.privileges for g in found)
    reader = {p for g in by_principal(found, HOSTILE["grantee"]) for p in g.privileges}
    assert reader == {"USE CATALOG"}


def bundle_resources(project: Path, target: str | None = None) -> dict:
    """The schema and volume resources: resources/ merged with a target's overrides (the CLI
    concatenates grant lists: libs/dyn/merge/merge.go)."""
    import yaml

    document = yaml.safe_load(next((project / "resources").glob("*.schema.yml")).read_text())
    resources = document["resources"]
    if target:
        bundle = yaml.safe_load((project / "databricks.yml").read_text())
        override = (bundle["targets"][target].get("resources")) or {}
        for kind in ("schemas", "volumes"):
            for key, body in (override.get(kind) or {}).items():
                base = resources[kind][key]
                base["grants"] = [*(base.get("grants") or []), *(body.get("grants") or [])]
    return resources


def test_schema_and_volume_privileges_come_from_the_bundle(render_answers) -> None:
    """A deploy replaces the grant list of the schema it manages, so grants made by hand would
    not last: the bundle grants them, the run_as principal's only in the targets it runs."""
    project = render_answers(**{**HOSTILE, "source_location": "/Volumes/select/from_/land"})
    for target in ("staging", "prod"):
        resources = bundle_resources(project, target)
        schema = next(iter(resources["schemas"].values()))
        grants_by = {g["principal"]: g["privileges"] for g in schema["grants"]}
        assert grants_by[SP] == ["USE_SCHEMA", "SELECT", "CREATE_TABLE", "CREATE_MATERIALIZED_VIEW"]
        assert grants_by["${var.grantee}"] == ["USE_SCHEMA", "SELECT"]
        volume = next(iter(resources["volumes"].values()))
        assert volume["name"] == "land"
        assert volume["schema_name"].startswith("${resources.schemas.")
        assert volume["grants"] == [{"principal": SP, "privileges": ["READ_VOLUME", "WRITE_VOLUME"]}]
    dev = bundle_resources(project, "dev")
    assert [g["principal"] for g in next(iter(dev["schemas"].values()))["grants"]] == ["${var.grantee}"]
    assert not next(iter(dev["volumes"].values())).get("grants")


def test_catalog_created_with_location_and_schema_never_created(render_answers) -> None:
    sql = setup_sql(render_answers(**HOSTILE))
    texts = [s.sql("databricks", comments=False) for s in statements(sql)]
    creates = [t for t in texts if t.upper().startswith("CREATE")]
    assert [" ".join(c.split()) for c in creates] == [
        "CREATE CATALOG IF NOT EXISTS `select` MANAGED LOCATION "
        "'abfss://c@acct.dfs.core.windows.net/p--x/a.b' "
        "COMMENT 'Medallion pipeline drop_table (bronze, silver, gold)'"
    ]
    # The bundle owns the schema: the script never creates it.
    assert not [t for t in texts if t.upper().split()[:2] == ["CREATE", "SCHEMA"]]


def test_all_privileges_only_when_asked(render_answers) -> None:
    schema = next(
        iter(
            bundle_resources(render_answers(**HOSTILE, grant_all_privileges="yes"), "prod")[
                "schemas"
            ].values()
        )
    )
    assert {g["principal"]: g["privileges"] for g in schema["grants"]}[SP] == ["ALL_PRIVILEGES"]


def test_delta_sources_get_select_on_the_source_schema(render_answers) -> None:
    project = render_answers(**{**HOSTILE, "source_type": "delta", "source_location": "raw_cat.select"})
    found = grants(setup_sql(project))
    for identity in (DEPLOYER, SP):
        assert Grant(("USE SCHEMA", "SELECT"), "SCHEMA", ("raw_cat", "select"), identity) in found
        assert Grant(("USE CATALOG",), "CATALOG", ("raw_cat",), identity) in found
    assert not [g for g in found if g.kind == "VOLUME"]


def test_defaults_grant_nothing_on_the_bundle_owned_volume(render_answers) -> None:
    sql = setup_sql(render_answers())
    found = grants(sql)
    assert not [g for g in found if g.kind in ("VOLUME", "SCHEMA")]
    assert "MANAGED LOCATION" not in sql
    assert {g.principal for g in found} == {DEPLOYER}  # the grantee defaults to the user


def test_kafka_has_no_source_grants(render_answers) -> None:
    project = render_answers(source_type="kafka", source_location="broker-1.example.com:9092")
    found = grants(setup_sql(project))
    assert {g.kind for g in found} == {"CATALOG"}


def message(prop: str) -> str:
    return SCHEMA_JSON["properties"][prop]["pattern_match_failure_message"]


@pytest.mark.parametrize(
    ("prop", "value"),
    [
        ("grantee", "data`team"),
        ("grantee", "x'; DROP CATALOG main; --"),
        ("grantee", 'quote"d'),
        ("prod_run_as", "spn`x"),
        ("prod_run_as", "8F3C2A71-1B2C-4D5E-9F00-123456789ABC; --"),
        ("catalog", "main`; DROP"),
        ("schema", "a.b"),
        ("catalog_managed_location", "s3://bucket/x' COMMENT 'y"),
        ("source_location", "/Volumes/c/s/v`x"),
    ],
)
def test_prompt_patterns_refuse_quotes(try_render, prop: str, value: str) -> None:
    result = try_render(**{prop: value})
    assert result.returncode != 0
    assert message(prop) in result.stderr
    written = [p for p in result.output_dir.rglob("*")] if result.output_dir.exists() else []
    assert written == []


def test_setup_job_runs_the_rendered_file_on_the_warehouse(render_answers) -> None:
    """Dev only: elsewhere every job runs as the target's run_as, not as the catalog's owner."""
    import yaml
    from databricks.bundles.jobs import Job

    project = render_answers()
    resource = project / "resources" / "medallion_pipeline_setup.job.yml"
    document = yaml.safe_load(resource.read_text())
    assert set(document) == {"targets"} and set(document["targets"]) == {"dev"}
    jobs = document["targets"]["dev"]["resources"]["jobs"]
    (key, body), *rest = jobs.items()
    assert key == "medallion_pipeline_setup" and not rest
    Job.from_dict(body)  # the typed bundle schema rejects unknown fields
    task = body["tasks"][0]["sql_task"]
    assert task["warehouse_id"] == "${var.warehouse_id}"
    assert (resource.parent / task["file"]["path"]).resolve() == (project / "sql" / "setup.sql").resolve()


def test_a_comma_in_the_user_name_grants_to_one_principal(tmp_path: Path) -> None:
    """Identities are joined with spaces (no name holds one): a comma in the workspace user name
    stays inside its backtick-quoted principal instead of adding a GRANT to a second one."""
    import os
    import subprocess

    from tests.rendering import RENDERER

    answers = tmp_path / "answers.json"
    answers.write_text(
        json.dumps({"notification_email": "ops@example.com", "ci_principal": SP, "grantee": "analysts"})
    )
    env = {**os.environ, **OFFLINE_ENV, "DATABRICKS_USER_NAME": "ops,admin@example.com"}
    done = subprocess.run(
        [str(RENDERER), str(REPO), "--config-file", str(answers), "--output-dir", str(tmp_path / "out")],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    found = grants(setup_sql(tmp_path / "out" / "medallion_pipeline"))
    assert {g.principal for g in found} == {"ops,admin@example.com", SP, "analysts"}
