"""The fake follows the public API where the monitor relies on it, through the real SDK:
statement waits, cancel and chunks; events paging; update order; pipeline states."""

from __future__ import annotations

from pathlib import Path

import pytest
from databricks.sdk import WorkspaceClient
from databricks.sdk.errors import BadRequest
from databricks.sdk.service.pipelines import UpdateInfo, UpdateInfoCause
from databricks.sdk.service.sql import ExecuteStatementRequestOnWaitTimeout, StatementState

from medallion.monitor import connect
from medallion.monitor.updates import Selector, find_chain, newest_first
from medallion.monitor.warehouse import SqlError, Warehouse
from tests.monitor.conftest import job_args, monitor
from tests.support.fake_databricks import TOKEN, Error, FakeServer, FakeWorkspace, FastClock

CUSTOMERS = "SELECT customer_id FROM `main`.`retail`.`silver_customers` ORDER BY customer_id LIMIT 5"


@pytest.fixture
def client(server: FakeServer, clock: FastClock) -> WorkspaceClient:
    return WorkspaceClient(host=server.url, token=TOKEN)


def test_a_quick_statement_answers_inline_within_wait_timeout(
    client: WorkspaceClient, workspace: FakeWorkspace
) -> None:
    response = client.statement_execution.execute_statement(CUSTOMERS, "wh-1", wait_timeout="10s")
    assert response.status and response.status.state == StatementState.SUCCEEDED
    assert response.result and response.result.data_array == [["c0"], ["c1"], ["c10"], ["c100"], ["c101"]]
    assert not [path for method, path, _ in workspace.requests if method == "GET" and "/sql/" in path]


def test_wait_timeout_zero_is_asynchronous(client: WorkspaceClient) -> None:
    response = client.statement_execution.execute_statement(CUSTOMERS, "wh-1", wait_timeout="0s")
    assert response.status and response.status.state == StatementState.PENDING and response.result is None
    done = client.statement_execution.get_statement(response.statement_id or "")
    assert done.status and done.status.state == StatementState.SUCCEEDED


def test_a_slow_statement_continues_and_is_polled(client: WorkspaceClient, workspace: FakeWorkspace) -> None:
    workspace.sql.runtime_s = 30
    response = client.statement_execution.execute_statement(CUSTOMERS, "wh-1", wait_timeout="10s")
    assert response.status and response.status.state == StatementState.RUNNING
    rows = Warehouse(client, "wh-1").query(CUSTOMERS)
    assert [r["customer_id"] for r in rows] == ["c0", "c1", "c10", "c100", "c101"]
    polls = [path for method, path, _ in workspace.requests if method == "GET" and "/sql/statements/" in path]
    assert len(polls) >= 2


def test_on_wait_timeout_cancel_ends_canceled(client: WorkspaceClient, workspace: FakeWorkspace) -> None:
    workspace.sql.runtime_s = 30
    response = client.statement_execution.execute_statement(
        CUSTOMERS, "wh-1", wait_timeout="5s", on_wait_timeout=ExecuteStatementRequestOnWaitTimeout.CANCEL
    )
    assert response.status and response.status.state == StatementState.CANCELED


@pytest.mark.parametrize("wait", ["3s", "51s", "10"])
def test_wait_timeout_outside_the_documented_range_is_refused(client: WorkspaceClient, wait: str) -> None:
    with pytest.raises(BadRequest, match="wait_timeout"):
        client.statement_execution.execute_statement(CUSTOMERS, "wh-1", wait_timeout=wait)


def test_the_monitor_cancels_a_statement_it_stops_waiting_for(
    server: FakeServer, workspace: FakeWorkspace, clock: FastClock
) -> None:
    workspace.sql.runtime_s = 10_000
    client = connect.workspace_client()  # as the monitor makes it, on the fast clock: 30 s pass virtually
    with pytest.raises(SqlError, match="TIMEOUT"):
        Warehouse(client, "wh-1", timeout_s=30).query(CUSTOMERS)
    assert sum(clock.slept) >= 20  # it polled through its timeout before cancelling
    cancels = [path for method, path, _ in workspace.requests if path.endswith("/cancel")]
    assert len(cancels) == 1
    statement_id = cancels[0].split("/")[-2]
    assert workspace.sql.statements[statement_id].state == StatementState.CANCELED


def test_every_chunk_of_a_result_is_read(client: WorkspaceClient, workspace: FakeWorkspace) -> None:
    workspace.sql.rows_per_chunk = 2
    first = client.statement_execution.execute_statement(CUSTOMERS, "wh-1")
    assert first.manifest and first.manifest.total_chunk_count == 3
    assert first.result and first.result.next_chunk_index == 1 and len(first.result.data_array or []) == 2
    rows = Warehouse(client, "wh-1").query(CUSTOMERS)
    assert len(rows) == 5
    chunks = [path for _, path, _ in workspace.requests if "/result/chunks/" in path]
    assert [path.rsplit("/", 1)[-1] for path in chunks] == ["1", "2"]


def test_the_monitor_judges_every_rule_when_results_come_in_chunks(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    workspace.sql.rows_per_chunk = 1
    run_id = workspace.add_run([("JOB_TASK", ["RUNNING", "COMPLETED"], [])])
    code, report = monitor(tmp_path, *job_args(workspace, run_id))
    assert code == 0, report
    assert len(report["rules"]) == 3 and len(report["orphans"]) == 2


def test_page_token_excludes_every_other_field_but_max_results(
    client: WorkspaceClient, workspace: FakeWorkspace
) -> None:
    workspace.events_page_size = 2
    workspace.add_update("API_CALL", ["RUNNING", "COMPLETED"])
    workspace.tick = 3
    everything = list(client.pipelines.list_pipeline_events(workspace.pipeline_id, max_results=2))
    assert len(everything) > 2
    stamps = [str(e.timestamp) for e in everything]
    assert stamps == sorted(stamps, reverse=True)
    with pytest.raises(BadRequest, match="page_token"):
        list(
            client.pipelines.list_pipeline_events(workspace.pipeline_id, filter="level='INFO'", max_results=2)
        )


@pytest.mark.parametrize("bad", ["level='DEBUG'", "origin.update_id = 'x'", "message LIKE '%x%'"])
def test_only_documented_event_filters_are_accepted(
    client: WorkspaceClient, workspace: FakeWorkspace, bad: str
) -> None:
    with pytest.raises(BadRequest, match="filter"):
        list(client.pipelines.list_pipeline_events(workspace.pipeline_id, filter=bad))


def test_documented_event_filters_select_events(client: WorkspaceClient, workspace: FakeWorkspace) -> None:
    update = workspace.add_update("API_CALL", ["RUNNING", "FAILED"], [Error("[TABLE_OR_VIEW_NOT_FOUND] x")])
    workspace.tick = 3
    errors = list(
        client.pipelines.list_pipeline_events(workspace.pipeline_id, filter="level in ('ERROR', 'WARN')")
    )
    assert [e.message for e in errors] == ["[TABLE_OR_VIEW_NOT_FOUND] x"]
    assert errors[0].origin and errors[0].origin.update_id == update.update_id


def test_the_chain_does_not_depend_on_the_order_updates_arrive_in() -> None:
    def update(name: str, cause: UpdateInfoCause, at: int) -> UpdateInfo:
        return UpdateInfo(update_id=name, cause=cause, creation_time=at)

    arrived = [
        update("retry", UpdateInfoCause.RETRY_ON_FAILURE, 3000),
        update("old", UpdateInfoCause.JOB_TASK, 1000),
        update("job", UpdateInfoCause.JOB_TASK, 2000),
    ]
    ordered = newest_first(arrived)
    assert [u.update_id for u in ordered] == ["retry", "job", "old"]
    chain = find_chain(ordered, Selector(since_ms=1500))
    assert [u.update_id for u in chain] == ["job", "retry"]


def test_list_updates_answers_newest_first(client: WorkspaceClient, workspace: FakeWorkspace) -> None:
    for tick in range(3):
        workspace.add_update("API_CALL", ["COMPLETED"], start_tick=tick)
    workspace.tick = 5
    listed = client.pipelines.list_updates(workspace.pipeline_id).updates or []
    times = [u.creation_time or 0 for u in listed]
    assert len(times) == 3 and times == sorted(times, reverse=True)


def test_recovering_only_between_a_failed_update_and_its_retry(
    client: WorkspaceClient, workspace: FakeWorkspace
) -> None:
    workspace.add_update("JOB_TASK", ["FAILED"], start_tick=1)
    workspace.add_update("RETRY_ON_FAILURE", ["RUNNING", "COMPLETED"], start_tick=4)
    workspace.add_update("JOB_TASK", ["FAILED"], start_tick=7)
    workspace.add_update("JOB_TASK", ["COMPLETED"], start_tick=10)
    states = [client.pipelines.get(workspace.pipeline_id).state for _ in range(11)]
    names = [s.value if s else None for s in states]
    assert names[:4] == ["RECOVERING", "RECOVERING", "RECOVERING", "RUNNING"]
    assert names[4:] == ["IDLE"] * 7


def test_error_events_are_read_back_only_to_the_judged_update(
    server: FakeServer, workspace: FakeWorkspace, tmp_path: Path
) -> None:
    for tick in range(0, 30, 3):
        workspace.add_update(
            "API_CALL", ["RUNNING", "FAILED"], [Error("[INTERNAL_ERROR] old")], start_tick=tick
        )
    workspace.events_page_size = 5
    run_id = workspace.add_run(
        [("JOB_TASK", ["RUNNING", "FAILED"], [Error("[TABLE_OR_VIEW_NOT_FOUND] new")])], 31
    )
    code, report = monitor(tmp_path, *job_args(workspace, run_id))
    assert code == 1 and report is not None
    assert [d["cause"] for d in report["diagnoses"]] == ["table_or_view_not_found"]
    pages = [path for _, path, _ in workspace.requests if path.endswith("/events")]
    assert 1 <= len(pages) <= 3 < len(workspace.events()) // 5
