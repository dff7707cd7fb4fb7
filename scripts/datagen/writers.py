"""Write one table's rows as several CSV (header, RFC 4180 quoting) or Parquet files, streamed."""

from __future__ import annotations

import csv
import math
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from datagen.domain import BOOL, DATE, DEC4, INT, MONEY, STR, TS, Table
from datagen.values import Bad

ARROW_TYPES = {
    STR: pa.string(),
    INT: pa.int32(),
    MONEY: pa.decimal128(12, 2),
    DEC4: pa.decimal128(9, 4),
    DATE: pa.date32(),
    TS: pa.timestamp("us"),
    BOOL: pa.bool_(),
}
Row = Sequence[Any]


def csv_text(value: Any) -> str:
    """A value as the source system writes it into CSV: empty for NULL."""
    if value is None:
        return ""
    if isinstance(value, Bad):
        return value.text
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    if isinstance(value, (date, Decimal, int)):
        return str(value)
    return str(value)


def arrow_value(value: Any) -> Any:
    """A value for a typed Parquet column: dirt that is not of the type becomes NULL."""
    return None if isinstance(value, Bad) else value


class TableWriter:
    """Buffers rows and writes `files` files of about equal size under `<out>/<table>/`."""

    def __init__(
        self, out: Path, table: Table, fmt: str, planned_rows: int, files: int, crlf_every: int = 0
    ) -> None:
        self.table = table
        self.fmt = fmt
        self.folder = out / table.name
        self.folder.mkdir(parents=True, exist_ok=True)
        self.per_file = math.ceil(planned_rows / files) if planned_rows > 0 else math.inf
        self.crlf_every = crlf_every
        """Every n-th file (the first included) ends its lines with CRLF; 0: none."""
        self.buffer: list[Row] = []
        self.paths: list[Path] = []
        self.rows = 0

    def add(self, row: Row) -> None:
        self.buffer.append(row)
        self.rows += 1
        if len(self.buffer) >= self.per_file:
            self.flush()

    def flush(self) -> None:
        if not self.buffer:
            return
        number = len(self.paths)
        path = self.folder / f"part-{number:05d}.{self.fmt}"
        if self.fmt == "csv":
            crlf = bool(self.crlf_every) and number % self.crlf_every == 0
            self._write_csv(path, "\r\n" if crlf else "\n")
        else:
            self._write_parquet(path)
        self.paths.append(path)
        self.buffer = []

    def close(self) -> list[Path]:
        self.flush()
        return self.paths

    def _write_csv(self, path: Path, newline: str) -> None:
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle, lineterminator=newline, quoting=csv.QUOTE_MINIMAL)
            writer.writerow(self.table.column_names)
            writer.writerows([csv_text(v) for v in row] for row in self.buffer)

    def _write_parquet(self, path: Path) -> None:
        schema = pa.schema([(name, ARROW_TYPES[kind]) for name, kind in self.table.columns])
        columns = list(zip(*self.buffer, strict=True))
        arrays = [
            pa.array([arrow_value(v) for v in values], type=field.type)
            for values, field in zip(columns, schema, strict=True)
        ]
        pq.write_table(pa.Table.from_arrays(arrays, schema=schema), path)
