"""`medallion monitor` error paths: which update is judged (--update-id,
--since-ms), where (catalog/schema/event-log overrides), refusals (an unsafe identifier, a
409 on --start, timing flags), and SQL trouble (a statement timeout, a failing quality
query); secrets in event messages never reach the report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.monitor.conftest import monitor
from tests.support.fake_databricks import Error, FakeServer, FakeWorkspace, Fault

PIPELINE = r"^/api/2\.0/pipelines/[^/]+$"


def base(workspace: FakeWorkspace, *args: str) -> list[str]:
    return ["--pipeline-id", workspace.pipeline_id, "--warehouse-id", "wh-1", "--poll-interval", "1", *args]


def failed(report: dict) -> dict[str, str]:
    return {c["name"]: c["detail"] for c in report["criteria"] if not c["ok"]}


def settings_without(workspace: FakeWorkspace, *dropped: str) -> Fault:
    """GET pipeline answering settings without some keys (catalog, schema, event_log)."""
    spec = {
        "id": workspace.pipeline_id,
        "name": workspace.pipeline_name,
        "catalog": workspace.catalog,
        "schema": workspace.schema,
        "serverless": True,
    }
    body = {
        "pipeline_id": workspace.pipeline_id,
        "name": workspace.pipeline_name,
        "state": "IDLE",
        "spec": {k: v for k, v in spec.items() if k not in dropped},
    }
    return Fault(200, "", "", body=json.dumps(body))


def test_update_id_judges_that_update_not_a_newer_one(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    judged = workspace.add_update("API_CALL", ["COMPLETED"], start_tick=0)
    workspace.add_update("API_CALL", ["FAILED"], [Error("[TABLE_OR_VIEW_NOT_FOUND] newer")], start_tick=0)
    code, report = monitor(tmp_path, *base(workspace, "--update-id", judged.update_id))
    assert code == 0 and report is not None
    assert report["update_ids"] == [judged.update_id] and report["diagnoses"] == []


def test_an_update_id_that_never_appears_times_out(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    code, report = monitor(tmp_path, *base(workspace, "--update-id", "no-such-update", "--timeout", "20"))
    assert code == 3 and report is not None
    assert failed(report) == {"update found": "no update no-such-update appeared"}


def test_since_ms_judges_the_first_job_task_update_from_then(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    workspace.add_update("JOB_TASK", ["FAILED"], [Error("[TABLE_OR_VIEW_NOT_FOUND] before")], start_tick=0)
    later = workspace.add_update("JOB_TASK", ["RUNNING", "COMPLETED"], start_tick=2)
    code, report = monitor(tmp_path, *base(workspace, "--since-ms", str(workspace.ms(1))))
    assert code == 0 and report is not None
    assert report["update_ids"] == [later.update_id]


def test_catalog_and_schema_overrides_are_where_tables_are_looked_for(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    update = workspace.add_update("API_CALL", ["COMPLETED"], start_tick=0)
    args = base(workspace, "--update-id", update.update_id, "--catalog", "other", "--schema", "elsewhere")
    code, report = monitor(tmp_path, *args)
    assert code == 1 and report is not None
    looked_up = [path for _, path, _ in workspace.requests if "/unity-catalog/tables/" in path]
    assert looked_up and all("/tables/other.elsewhere." in path for path in looked_up)
    assert "expected tables present" in failed(report)


def test_settings_without_catalog_need_the_overrides(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    update = workspace.add_update("API_CALL", ["COMPLETED"], start_tick=0)
    workspace.fail("GET", PIPELINE, settings_without(workspace, "catalog", "schema"), forever=True)
    code, _ = monitor(tmp_path, *base(workspace, "--update-id", update.update_id))
    assert code == 2 and "pass --catalog and --schema" in capsys.readouterr().err
    args = base(workspace, "--update-id", update.update_id, "--catalog", "main", "--schema", "retail")
    code, report = monitor(tmp_path, *args)
    # no event log in these settings: quality cannot be read until --pipeline-name names it
    assert code == 1 and report is not None and list(failed(report)) == ["event log published"]


def test_pipeline_name_names_the_event_log_when_settings_publish_none(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    update = workspace.add_update("API_CALL", ["COMPLETED"], start_tick=0)
    workspace.fail("GET", PIPELINE, settings_without(workspace, "event_log"), forever=True)
    args = base(workspace, "--update-id", update.update_id, "--pipeline-name", workspace.pipeline_name)
    code, report = monitor(tmp_path, *args)
    assert code == 0, report
    quality = [sql for sql, _ in workspace.statements if "data_quality" in sql]
    assert quality and "`main`.`retail`.`retail_pipeline_event_log`" in quality[0]


def test_an_unsafe_identifier_is_refused_before_any_sql(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    update = workspace.add_update("API_CALL", ["COMPLETED"], start_tick=0)
    args = base(workspace, "--update-id", update.update_id, "--catalog", "main`; DROP TABLE x; --")
    code, report = monitor(tmp_path, *args)
    assert code == 2 and report == {}  # no report written
    assert "refusing unsafe SQL identifier" in capsys.readouterr().err
    assert not any("DROP" in sql for sql, _ in workspace.statements)


def test_a_sql_timeout_fails_the_quality_criterion(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    update = workspace.add_update("API_CALL", ["COMPLETED"], start_tick=0)
    workspace.sql.slow = [("data_quality", 10_000.0)]
    code, report = monitor(tmp_path, *base(workspace, "--update-id", update.update_id))
    assert code == 1 and report is not None
    assert failed(report) == {"quality figures readable": "TIMEOUT: statement did not finish within 300s"}
    assert any(path.endswith("/cancel") for _, path, _ in workspace.requests)


def test_a_failing_quality_query_is_diagnosed(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    update = workspace.add_update("API_CALL", ["COMPLETED"], start_tick=0)
    workspace.statement_errors = [
        ("data_quality", "[INSUFFICIENT_PERMISSIONS] Insufficient privileges: User does not have SELECT")
    ]
    code, report = monitor(tmp_path, *base(workspace, "--update-id", update.update_id))
    assert code == 1 and report is not None
    assert list(failed(report)) == ["quality figures readable"]
    assert "INSUFFICIENT_PERMISSIONS" in failed(report)["quality figures readable"]
    assert report["diagnoses"] and report["diagnoses"][0]["cause"] == "permission_denied"


def test_a_409_on_start_says_an_update_is_running(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    workspace.add_update("API_CALL", ["RUNNING"] * 5 + ["COMPLETED"], start_tick=0)
    code, report = monitor(tmp_path, *base(workspace, "--start"))
    assert code == 2 and report == {}  # no report written
    err = capsys.readouterr().err
    assert "cannot start an update of pipeline" in err and "An active update already exists" in err
    assert "--watch-latest" in err and not [r for r in workspace.requests if r[0] == "START"]


@pytest.mark.parametrize(
    "flag",
    [
        ["--poll-interval", "0"],
        ["--poll-interval", "0.2"],
        ["--max-poll-interval", "-1"],
        ["--timeout", "inf"],
    ],
)
def test_timing_flags_have_sane_bounds(
    server: FakeServer,
    workspace: FakeWorkspace,
    tmp_path: Path,
    capsys: pytest.CaptureFixture,
    flag: list[str],
) -> None:
    with pytest.raises(SystemExit) as exited:
        monitor(tmp_path, *base(workspace, "--watch-latest", *flag))
    assert exited.value.code == 2
    assert "seconds" in capsys.readouterr().err


def test_secrets_in_event_messages_are_redacted(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    leak = (
        "[TABLE_OR_VIEW_NOT_FOUND] reading jdbc:postgresql://db/shop?user=etl&password=hunter2 with "
        "Authorization: Bearer dapi0123456789abcdef0123456789abcdef token=dapiffff0000"
    )
    update = workspace.add_update("API_CALL", ["RUNNING", "FAILED"], [Error(leak)], start_tick=0)
    code, report = monitor(tmp_path, *base(workspace, "--update-id", update.update_id))
    assert code == 1 and report is not None
    printed = capsys.readouterr().out
    written = (tmp_path / "report.json").read_text()
    for text in (printed, written):
        assert "hunter2" not in text and "dapi0123" not in text and "dapiffff" not in text
    assert "password=[REDACTED]" in printed and "Bearer [REDACTED]" in printed
