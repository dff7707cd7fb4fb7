"""The SQL Statement Execution API (`/api/2.0/sql/statements`) as the fake serves it.

Behaviour follows the databricks-sdk-py docstrings of `StatementExecutionAPI`
(databricks/sdk/service/sql.py: `execute_statement`, `get_statement`, `cancel_execution`,
`get_statement_result_chunk_n`) and docs.databricks.com/api/workspace/statementexecution:
- `wait_timeout` is `Ns` with N = 0 or 5..50 (default 10s); `0s` returns PENDING at once;
  otherwise the call waits and returns SUCCEEDED with manifest and first chunk inline (or
  FAILED) when the statement finishes in time, else PENDING (`on_wait_timeout=CONTINUE`,
  the default) or CANCELED (`on_wait_timeout=CANCEL`);
- `cancel` answers an empty body; the caller polls to see CANCELED;
- INLINE + JSON_ARRAY results come "in a series of chunks": `manifest.chunks`,
  `total_chunk_count`, each chunk's `next_chunk_index`/`next_chunk_internal_link`, and
  `GET .../result/chunks/{n}` answers a chunk with the shape of the nested `result`;
- positional `?` markers are not supported ("Currently, positional parameters denoted by a
  ? marker are not supported by the Databricks SQL Statement Execution API").
Virtual time: a statement needs `runtime_s` warehouse seconds; the POST waits `wait_timeout`
of them and each later GET counts as `seconds_per_poll` more (tests never sleep).
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from databricks.sdk.service.sql import (
    BaseChunkInfo,
    ColumnInfo,
    ColumnInfoTypeName,
    Format,
    ResultData,
    ResultManifest,
    ResultSchema,
    ServiceError,
    ServiceErrorCode,
    StatementResponse,
    StatementState,
    StatementStatus,
)

from tests.support.warehouse_python import Result
from tests.support.warehouse_sql import SqlFailure

Answer = Callable[[str, list[dict[str, Any]]], Result]
_WAIT = re.compile(r"^(\d+)s$")
_IDS = itertools.count(1)


@dataclass
class Statement:
    """One submitted statement: its text, its outcome once run, and where it is in time."""

    statement_id: str
    sql: str
    parameters: list[dict[str, Any]]
    remaining_s: float
    state: StatementState = StatementState.PENDING
    result: Result | None = None
    failure: SqlFailure | None = None
    chunk_rows: int = 1000


@dataclass
class StatementService:
    """Runs statements through `answer` and serves their state, results and chunks."""

    answer: Answer
    runtime_s: float = 0.2
    seconds_per_poll: float = 5.0
    rows_per_chunk: int = 1000
    statements: dict[str, Statement] = field(default_factory=dict)
    slow: list[tuple[str, float]] = field(default_factory=list)  # (regex over SQL, runtime_s) overrides

    def execute(self, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        """POST /api/2.0/sql/statements."""
        wait = _WAIT.match(str(body.get("wait_timeout", "10s")))
        if not body.get("warehouse_id") or not body.get("statement"):
            return _bad("warehouse_id and statement are required")
        if wait is None or not (int(wait[1]) == 0 or 5 <= int(wait[1]) <= 50):
            return _bad(f"wait_timeout must be 0s or between 5s and 50s, got {body.get('wait_timeout')!r}")
        if body.get("disposition", "INLINE") != "INLINE" or body.get("format", "JSON_ARRAY") != "JSON_ARRAY":
            return _bad("the fake serves only INLINE JSON_ARRAY results")
        on_timeout = body.get("on_wait_timeout", "CONTINUE")
        if on_timeout not in ("CONTINUE", "CANCEL"):
            return _bad(f"on_wait_timeout must be CONTINUE or CANCEL, got {on_timeout!r}")
        statement = Statement(
            f"01ef-{next(_IDS):06d}",
            body["statement"],
            list(body.get("parameters") or []),
            next((t for p, t in self.slow if re.search(p, body["statement"])), self.runtime_s),
            chunk_rows=self.rows_per_chunk,
        )
        self.statements[statement.statement_id] = statement
        seconds = int(wait[1])
        if seconds == 0:
            return 200, self._response(statement)
        self._advance(statement, seconds)
        if statement.state in (StatementState.PENDING, StatementState.RUNNING) and on_timeout == "CANCEL":
            statement.state = StatementState.CANCELED
        return 200, self._response(statement)

    def get(self, statement_id: str) -> tuple[int, dict[str, Any]]:
        """GET /api/2.0/sql/statements/{id}: status, manifest and the first chunk once done."""
        statement = self.statements.get(statement_id)
        if statement is None:
            return _not_found(statement_id)
        self._advance(statement, self.seconds_per_poll)
        return 200, self._response(statement)

    def cancel(self, statement_id: str) -> tuple[int, dict[str, Any]]:
        """POST /api/2.0/sql/statements/{id}/cancel: empty answer; a running statement ends CANCELED."""
        statement = self.statements.get(statement_id)
        if statement is None:
            return _not_found(statement_id)
        if statement.state in (StatementState.PENDING, StatementState.RUNNING):
            statement.state = StatementState.CANCELED
        return 200, {}

    def chunk(self, statement_id: str, index: int) -> tuple[int, dict[str, Any]]:
        """GET /api/2.0/sql/statements/{id}/result/chunks/{n}: one chunk, shaped like `result`."""
        statement = self.statements.get(statement_id)
        if statement is None:
            return _not_found(statement_id)
        if statement.state != StatementState.SUCCEEDED or statement.result is None:
            return _bad(f"statement {statement_id} is {statement.state.value}, not SUCCEEDED")
        chunks = _chunks(statement)
        if not 0 <= index < len(chunks):
            return _bad(f"chunk index {index} is out of range (0..{len(chunks) - 1})")
        return 200, chunks[index].as_dict()

    def _advance(self, statement: Statement, seconds: float) -> None:
        if statement.state not in (StatementState.PENDING, StatementState.RUNNING):
            return
        statement.remaining_s -= seconds
        if statement.remaining_s > 0:
            statement.state = StatementState.RUNNING
            return
        try:
            statement.result = self.answer(statement.sql, statement.parameters)
            statement.state = StatementState.SUCCEEDED
        except SqlFailure as failure:
            statement.failure = failure
            statement.state = StatementState.FAILED

    def _response(self, statement: Statement) -> dict[str, Any]:
        status = StatementStatus(state=statement.state)
        if statement.failure is not None:
            status.sql_state = statement.failure.sql_state
            status.error = ServiceError(
                error_code=ServiceErrorCode.BAD_REQUEST, message=str(statement.failure)
            )
        response = StatementResponse(statement_id=statement.statement_id, status=status)
        if statement.state == StatementState.SUCCEEDED and statement.result is not None:
            chunks = _chunks(statement)
            response.manifest = _manifest(statement.result, chunks)
            response.result = chunks[0]
        return response.as_dict()


def _chunks(statement: Statement) -> list[ResultData]:
    assert statement.result is not None
    rows = [[None if v is None else _text(v) for v in row] for row in statement.result.rows]
    size = max(statement.chunk_rows, 1)
    pieces = [rows[i : i + size] for i in range(0, len(rows), size)] or [[]]
    chunks = []
    for index, piece in enumerate(pieces):
        more = index + 1 < len(pieces)
        chunks.append(
            ResultData(
                chunk_index=index,
                row_offset=index * size,
                row_count=len(piece),
                data_array=cast(Any, piece),  # the SDK types cells as str; the API sends null for NULL
                next_chunk_index=index + 1 if more else None,
                next_chunk_internal_link=(
                    f"/api/2.0/sql/statements/{statement.statement_id}/result/chunks/{index + 1}"
                    if more
                    else None
                ),
            )
        )
    return chunks


def _manifest(result: Result, chunks: list[ResultData]) -> ResultManifest:
    columns = [
        ColumnInfo(name=name, position=i, type_name=ColumnInfoTypeName(kind), type_text=kind)
        for i, (name, kind) in enumerate(result.columns)
    ]
    return ResultManifest(
        format=Format.JSON_ARRAY,
        schema=ResultSchema(column_count=len(columns), columns=columns),
        total_row_count=len(result.rows),
        total_chunk_count=len(chunks),
        chunks=[
            BaseChunkInfo(chunk_index=c.chunk_index, row_offset=c.row_offset, row_count=c.row_count)
            for c in chunks
        ],
        truncated=False,
    )


def _text(value: Any) -> str:
    """JSON_ARRAY carries every value as a string (booleans as true/false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _bad(message: str) -> tuple[int, dict[str, Any]]:
    return 400, {"error_code": "INVALID_PARAMETER_VALUE", "message": message}


def _not_found(statement_id: str) -> tuple[int, dict[str, Any]]:
    return 404, {"error_code": "NOT_FOUND", "message": f"Statement {statement_id} not found."}
