"""SQL on a SQL warehouse through the statement-execution API, with Python values back."""

from __future__ import annotations

import contextlib
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from databricks.sdk import WorkspaceClient
from databricks.sdk.service.sql import (
    ColumnInfoTypeName,
    Disposition,
    ExecuteStatementRequestOnWaitTimeout,
    Format,
    StatementParameterListItem,
    StatementResponse,
    StatementState,
)

from medallion.monitor.api import MalformedResponse, call
from medallion.monitor.deadline import DeadlineReached, deadline_of
from medallion.sql import quote_name

_STATEMENTS = "/api/2.0/sql/statements"
_SAFE_PART = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_-]{0,254}$")
_RUNNING = (StatementState.PENDING, StatementState.RUNNING)
_INTEGER = {
    ColumnInfoTypeName.BYTE,
    ColumnInfoTypeName.SHORT,
    ColumnInfoTypeName.INT,
    ColumnInfoTypeName.LONG,
}
_FLOAT = {ColumnInfoTypeName.FLOAT, ColumnInfoTypeName.DOUBLE}


class SqlError(Exception):
    """A statement failed, was canceled or took too long."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message


def object_name(*parts: str) -> str:
    """A validated, backtick-quoted catalog.schema.object name; refuses anything unusual."""
    for part in parts:
        if not _SAFE_PART.match(part or ""):
            raise ValueError(f"refusing unsafe SQL identifier {part!r} (letters, digits, _ and - only)")
    return quote_name(*parts)


def _convert(value: str | None, type_name: ColumnInfoTypeName | None) -> Any:
    if value is None:
        return None
    if type_name in _INTEGER:
        return int(value)
    if type_name in _FLOAT:
        return float(value)
    if type_name == ColumnInfoTypeName.DECIMAL:
        return Decimal(value)
    if type_name == ColumnInfoTypeName.BOOLEAN:
        return value.lower() == "true"
    return value


@dataclass
class Warehouse:
    """Runs statements on one warehouse, polling until each finishes."""

    client: WorkspaceClient
    warehouse_id: str
    timeout_s: float = 300.0

    def query(self, statement: str, parameters: dict[str, str] | None = None) -> list[dict[str, Any]]:
        """Rows as dicts of Python values; named parameters are bound as STRING markers (:name)."""
        bound = [
            StatementParameterListItem(name=k, value=v, type="STRING") for k, v in (parameters or {}).items()
        ]
        response = call(
            self.client,
            f"POST {_STATEMENTS} (warehouse {self.warehouse_id})",
            self.client.statement_execution.execute_statement,
            statement,
            self.warehouse_id,
            parameters=bound or None,
            disposition=Disposition.INLINE,
            format=Format.JSON_ARRAY,
            wait_timeout="10s",
            on_wait_timeout=ExecuteStatementRequestOnWaitTimeout.CONTINUE,
        )
        response = self._wait(response)
        data = self._data(response)
        try:
            return self._rows(response, data)
        except (TypeError, ValueError, ArithmeticError) as error:
            raise MalformedResponse(
                f"GET {_STATEMENTS}/{response.statement_id}: the result does not match its manifest "
                f"({type(error).__name__}: {error})"
            ) from None

    def _wait(self, response: StatementResponse) -> StatementResponse:
        """Poll until the statement ends; past `timeout_s` cancel it (SqlError TIMEOUT); at the
        client's deadline cancel it too and raise DeadlineReached."""
        clock = self.client.config.clock
        deadline = deadline_of(clock)
        limit = clock.time() + self.timeout_s
        delay = 0.2
        while response.status and response.status.state in _RUNNING:
            statement_id = response.statement_id or ""
            if clock.time() >= limit:
                self._cancel(statement_id)
                raise SqlError("TIMEOUT", f"statement did not finish within {self.timeout_s:.0f}s")
            if deadline.left() <= 0:
                self._cancel(statement_id)
                raise deadline.reached(
                    f"statement {statement_id} on warehouse {self.warehouse_id} was still "
                    f"{response.status.state.value} (cancelled)"
                )
            deadline.pause(min(delay, max(limit - clock.time(), 0.0)))
            delay = min(delay * 2, 5.0)
            if deadline.left() <= 0:
                continue  # out of time while waiting: cancel and say so above
            try:
                response = call(
                    self.client,
                    f"GET {_STATEMENTS}/{statement_id}",
                    self.client.statement_execution.get_statement,
                    statement_id,
                )
            except DeadlineReached:
                self._cancel(statement_id)
                raise
        status = response.status
        if not status or status.state != StatementState.SUCCEEDED:
            error = status.error if status else None
            code = (
                error.error_code.value
                if error and error.error_code
                else (status.state.value if status and status.state else "UNKNOWN")
            )
            raise SqlError(code, (error.message if error else None) or "the statement did not succeed")
        return response

    def _data(self, response: StatementResponse) -> list[list[str | None]]:
        """Every row of every chunk: the first comes with the response, the rest by `next_chunk_index`."""
        chunk = response.result
        data: list[list[str | None]] = []
        while chunk is not None:
            data.extend(list(row) for row in chunk.data_array or [])
            if chunk.next_chunk_index is None:
                break
            chunk = call(
                self.client,
                f"GET {_STATEMENTS}/{response.statement_id}/result/chunks/{chunk.next_chunk_index}",
                self.client.statement_execution.get_statement_result_chunk_n,
                response.statement_id or "",
                chunk.next_chunk_index,
            )
        return data

    def _cancel(self, statement_id: str) -> None:
        """Best effort: ask the warehouse to stop a statement we no longer wait for."""
        deadline = deadline_of(self.client.config.clock)
        # Any failure (DeadlineReached too) is ignored: the warehouse ends the statement itself.
        with deadline.grace(3.0), contextlib.suppress(Exception):
            call(
                self.client,
                f"POST {_STATEMENTS}/{statement_id}/cancel",
                self.client.statement_execution.cancel_execution,
                statement_id,
                retry=False,
            )

    @staticmethod
    def _rows(response: StatementResponse, data: list[list[str | None]]) -> list[dict[str, Any]]:
        schema = response.manifest.schema if response.manifest else None
        columns = (schema.columns if schema else None) or []
        return [
            {str(c.name): _convert(v, c.type_name) for c, v in zip(columns, row, strict=True)} for row in data
        ]
