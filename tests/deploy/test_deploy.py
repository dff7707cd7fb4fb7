"""`medallion deploy` and `medallion settings` with a fake CLI on PATH and the fake workspace."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medallion.cli import main
from medallion.tooling.deploy_loop.setup_sql import split_statements
from tests.support.fake_databricks import Error, FakeServer, FakeWorkspace

TRANSIENT = Error("[INTERNAL_ERROR] The Spark driver has stopped unexpectedly and is restarting.")
SCHEMA_CHANGE = Error(
    "[DIFFERENT_DELTA_TABLE_READ_BY_STREAMING_SOURCE] The streaming query was reading from an "
    "unexpected Delta table (id = 'a1').",
    dataset="silver_orders_history",
)


def deploy(project: Path, *args: str) -> int:
    return main(
        ["deploy", "--spec", str(project / "medallion.yml"), "-t", "dev", "--poll-interval", "1", *args]
    )


def fix_log(project: Path) -> list[dict]:
    path = project / ".medallion" / "fix-log.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_deploy_runs_the_job_and_monitors_its_update(
    project: Path, cli_log: Path, server: FakeServer
) -> None:
    assert deploy(project, "--setup-sql") == 0
    calls = cli_log.read_text().splitlines()
    assert calls[:3] == ["--version", "bundle --help", "bundle validate -t dev -o json"]
    assert calls[3:] == [
        "bundle deploy -t dev",
        "bundle summary -t dev -o json",
        "bundle run -t dev retail_job --no-wait",
    ]
    setup = [s for s, _ in server.workspace.statements if s.startswith(("CREATE", "GRANT"))]
    assert len(setup) == 2 and setup[1].endswith("TO `etl@example.com`")
    assert fix_log(project) == []


def test_transient_failure_is_retried_and_logged(
    project: Path, cli_log: Path, workspace: FakeWorkspace
) -> None:
    workspace.queued_runs = [[("JOB_TASK", ["RUNNING", "FAILED"], [TRANSIENT])]]
    assert deploy(project) == 0
    assert cli_log.read_text().count("bundle run") == 2
    assert [(e["attempt"], e["fix"], e["applied"]) for e in fix_log(project)] == [(1, "retry", True)]


def test_full_refresh_only_of_affected_tables_when_allowed(
    project: Path, cli_log: Path, workspace: FakeWorkspace
) -> None:
    workspace.queued_runs = [[("JOB_TASK", ["RUNNING", "FAILED"], [SCHEMA_CHANGE])]]
    assert deploy(project) == 1
    assert fix_log(project)[-1]["applied"] is False
    workspace.queued_runs = [[("JOB_TASK", ["RUNNING", "FAILED"], [SCHEMA_CHANGE])]]
    assert deploy(project, "--allow-full-refresh") == 0
    started = [body for kind, _, body in workspace.requests if kind == "START"]
    assert started == [{"cause": "API_CALL", "full_refresh_selection": ["silver_orders_history"]}]


def test_attempts_are_bounded(project: Path, cli_log: Path, workspace: FakeWorkspace) -> None:
    workspace.queued_runs = [[("JOB_TASK", ["FAILED"], [TRANSIENT])] for _ in range(5)]
    assert deploy(project, "--max-attempts", "2") == 1
    assert cli_log.read_text().count("bundle run") == 2
    assert len(fix_log(project)) == 2


def test_legacy_cli_is_rejected(
    project: Path, cli_log: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("FAKE_CLI_VERSION", "legacy")
    assert deploy(project) == 2
    assert "legacy `databricks-cli`" in capsys.readouterr().err


def test_settings_from_cli_are_api_shaped(
    project: Path, cli_log: Path, capsys: pytest.CaptureFixture
) -> None:
    assert main(["settings", "-t", "dev", "--project", str(project)]) == 0
    settings = json.loads(capsys.readouterr().out)
    assert settings["catalog"] == "main" and settings["event_log"]["name"] == "retail_pipeline_event_log"
    assert "permissions" not in settings


def test_settings_offline_resolve_variables(
    project: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    (project / "resources").mkdir()
    (project / "databricks.yml").write_text(
        "bundle: {name: retail}\ninclude: [resources/*.yml]\n"
        "variables: {catalog: {default: main, description: c}}\n"
        "targets: {prod: {variables: {catalog: prod_cat}}}\n"
    )
    (project / "resources" / "p.pipeline.yml").write_text(
        "resources:\n  schemas: {s: {name: 'retail_${bundle.target}', catalog_name: '${var.catalog}'}}\n"
        "  pipelines: {retail_pipeline: {name: retail_pipeline, catalog: '${var.catalog}',"
        " schema: '${resources.schemas.s.name}', permissions: [{level: CAN_VIEW, group_name: users}]}}\n"
    )
    assert main(["settings", "-t", "prod", "--project", str(project)]) == 0
    captured = capsys.readouterr()
    assert json.loads(captured.out) == {
        "catalog": "prod_cat",
        "name": "retail_pipeline",
        "schema": "retail_prod",
    }
    assert "offline" in captured.err


def test_setup_sql_is_split_safely() -> None:
    text = (
        "-- a; comment\nCREATE SCHEMA x; GRANT SELECT ON TABLE `a;b` TO `u`;\nSELECT 'it''s; fine' /* ; */;"
    )
    assert split_statements(text) == [
        "CREATE SCHEMA x",
        "GRANT SELECT ON TABLE `a;b` TO `u`",
        "SELECT 'it''s; fine'",
    ]


def test_a_grant_inside_a_nested_comment_is_never_run() -> None:
    """Databricks SQL comments nest: the GRANT is inside the outer comment."""
    text = "/* outer /* inner */ GRANT ALL PRIVILEGES ON CATALOG main TO `x`; still comment */ SELECT 1;"
    assert split_statements(text) == ["SELECT 1"]


def test_a_dollar_quoted_body_is_one_statement() -> None:
    text = (
        "CREATE FUNCTION f(x INT) RETURNS INT LANGUAGE PYTHON AS $$\nreturn x; # not the end\n$$;\n"
        "CREATE FUNCTION g() RETURNS STRING LANGUAGE PYTHON AS $body$ return 'a;b' $body$;"
    )
    assert split_statements(text) == [
        "CREATE FUNCTION f(x INT) RETURNS INT LANGUAGE PYTHON AS $$\nreturn x; # not the end\n$$",
        "CREATE FUNCTION g() RETURNS STRING LANGUAGE PYTHON AS $body$ return 'a;b' $body$",
    ]


def test_escaped_quotes_do_not_end_a_string() -> None:
    assert split_statements(r"SELECT 'a\';b'; SELECT 2") == [r"SELECT 'a\';b'", "SELECT 2"]
