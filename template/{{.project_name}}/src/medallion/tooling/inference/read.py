"""Find the tables in sample paths and read their first rows as Python values."""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from medallion.tooling.inference.types import infer_column

FORMATS = {".csv": "csv", ".json": "json", ".jsonl": "json", ".ndjson": "json", ".parquet": "parquet"}
DEFAULT_MAX_ROWS = 100_000
MAX_ARRAY_BYTES = 512 * 2**20
"""A JSON file holding one array is parsed whole; larger ones are refused (JSON lines stream)."""
NULL_TOKENS = ("NA", "N/A", "n/a", "#N/A", "NULL", "null", "Null", "None", "NaN", "nan", "\\N", "-", "(null)")
"""Texts files commonly write for a missing value; one is drafted as a null token only where it
stands where numbers, dates or booleans stand (see find_null_tokens)."""
_NOT_IDENTIFIER = re.compile(r"[^a-z0-9_]+")
_ID_BEFORE_WORD = re.compile(r"(?<=[a-z])ID(?=[a-z])")
"""`teamIDwinner`: ID is a word of its own (team_id_winner)."""
_WORD_START = re.compile(r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


class SampleError(ValueError):
    """The sample paths cannot be read as tables."""


@dataclass(frozen=True)
class TableSample:
    """The first rows of one table, read from one or more files of one format."""

    name: str
    format: str
    files: tuple[Path, ...]
    columns: tuple[str, ...]
    rows: list[dict[str, Any]]
    truncated: bool
    malformed: int = 0
    options: dict[str, str] = field(default_factory=dict)
    total_rows: int = 0
    """Rows in every file of the table (all were read; `rows` holds every `stride`-th)."""
    stride: int = 1
    null_values: tuple[str, ...] = ()
    """Texts this table writes for a missing value (already NULL in `rows`)."""
    headers: dict[str, str] = field(default_factory=dict)
    """Each column's name in the files -> its spec name (the keys of `rows`)."""

    @property
    def source_names(self) -> dict[str, str]:
        """Spec name -> the files' name, for the columns whose names differ."""
        return {name: header for header, name in self.headers.items() if header != name}


def spread_sample(rows: Iterable[dict[str, Any]], max_rows: int) -> tuple[list[dict[str, Any]], int, int]:
    """Every stride-th block of rows of the whole input, at most `max_rows` rows.

    Blocks of contiguous rows (a twentieth of `max_rows`, at most 1,000) keep neighbours
    together, so that repeated keys of clustered data (an order's lines) stay visible; the
    stride doubles as rows come. Deterministic, bounded memory, and the start, middle and end
    of every file are alike. Returns (sample, rows seen, stride in blocks).
    """
    block = block_size(max_rows)
    kept: list[tuple[int, dict[str, Any]]] = []
    stride = 1
    total = 0
    for index, row in enumerate(rows):
        total = index + 1
        number = index // block
        if number % stride:
            continue
        kept.append((number, row))
        if len(kept) > max_rows:
            stride *= 2
            kept = [(n, r) for n, r in kept if n % stride == 0]
    return [row for _, row in kept], total, stride


def block_size(max_rows: int) -> int:
    """Rows per sampled block."""
    return max(1, min(1000, max_rows // 20))


def all_rows(
    files: list[Path], null_values: tuple[str, ...] = (), headers: dict[str, str] | None = None
) -> Iterator[dict[str, Any]]:
    """Every row of one table's files (spec column names, null tokens as None), streamed."""
    reader = READERS[FORMATS[files[0].suffix.lower()]]()
    tokens = set(null_values)
    names = dict(headers or {})
    for file in files:
        for row in reader.rows(file):
            yield {
                names.get(k) or column_identifier(k): None if _is_token(v, tokens) else v
                for k, v in row.items()
            }


def find_null_tokens(rows: list[dict[str, Any]], columns: tuple[str, ...]) -> tuple[str, ...]:
    """The texts this table writes for a missing value: a common null token (NULL_TOKENS) that
    appears in a column whose other values are numbers, dates or booleans (within inference's
    tolerance). A token found only among text values stays a value: "NA" may be a code."""
    found: set[str] = set()
    for column in columns:
        values = [row.get(column) for row in rows]
        texts = [v.strip() for v in values if isinstance(v, str)]
        tokens = {t for t in texts if t in NULL_TOKENS}
        others = [
            v for v in values if v is not None and not (isinstance(v, str) and v.strip() in NULL_TOKENS)
        ]
        if tokens and others and infer_column(column, others).type != "string":
            found |= tokens
    return tuple(sorted(found))


def _is_token(value: Any, tokens: set[str]) -> bool:
    return isinstance(value, str) and value.strip() in tokens


def column_identifier(header: str) -> str:
    """A spec column name for a name in the files: snake case (`playerID` -> `player_id`,
    `teamIDwinner` -> `team_id_winner`,
    `park.key` -> `park_key`), `x` before a leading digit (`2B` -> `x2b`, as R's make.names)."""
    words = _WORD_START.sub("_", _ID_BEFORE_WORD.sub("ID_", header.strip()))
    name = _NOT_IDENTIFIER.sub("_", words.lower()).strip("_") or "column"
    return name if not name[0].isdigit() else f"x{name}"


def spec_names(headers: Iterable[str]) -> dict[str, str]:
    """Each header -> a distinct spec column name (a second `player_id` becomes `player_id_2`)."""
    names: dict[str, str] = {}
    taken: set[str] = set()
    for header in headers:
        base = column_identifier(header)
        name, number = base, 1
        while name in taken:
            number += 1
            name = f"{base}_{number}"
        names[header] = name
        taken.add(name)
    return names


def identifier(text: str) -> str:
    """A spec identifier from a file, folder or column name: lower case, underscores."""
    name = _NOT_IDENTIFIER.sub("_", text.strip().lower()).strip("_") or "t"
    return name if not name[0].isdigit() else f"t_{name}"


def discover(paths: list[Path]) -> dict[str, list[Path]]:
    """Map table name -> data files.

    A file is a table named after its stem; a folder holding only data files is one
    table named after the folder; a folder with subfolders makes each subfolder a table
    (loose files beside them, such as a manifest.json, are ignored).
    """
    tables: dict[str, list[Path]] = {}
    for path in paths:
        for name, files in _tables_in(path):
            tables.setdefault(identifier(name), []).extend(files)
    if not tables:
        raise SampleError(f"no data files ({', '.join(sorted(FORMATS))}) in: {', '.join(map(str, paths))}")
    return {name: sorted(set(files)) for name, files in sorted(tables.items())}


def _tables_in(path: Path) -> Iterator[tuple[str, list[Path]]]:
    if path.is_file():
        if path.suffix.lower() not in FORMATS:
            raise SampleError(f"{path}: not a data file ({', '.join(sorted(FORMATS))})")
        yield path.stem, [path]
    elif path.is_dir():
        folders = sorted(p for p in path.iterdir() if p.is_dir() and _data_files(p))
        for folder in folders:
            yield folder.name, _data_files(folder)
        loose = sorted(p for p in path.iterdir() if p.is_file() and p.suffix.lower() in FORMATS)
        if loose and not folders:
            yield from _loose_tables(path.name, loose)
    else:
        raise SampleError(f"{path}: no such file or folder")


def _loose_tables(folder: str, files: list[Path]) -> Iterator[tuple[str, list[Path]]]:
    """Files side by side: one table per name once digits are set aside (`Batting.csv` and
    `BattingPost.csv` are two tables; `orders_2024_01.csv` and `orders_2024_02.csv` one); a
    folder whose files all share one name (or are Spark's `part-...` files) is one table named
    after the folder."""
    groups: dict[str, list[Path]] = {}
    for file in files:
        groups.setdefault(_table_stem(file.stem), []).append(file)
    if len(groups) == 1:
        yield folder, files
        return
    for stem, members in groups.items():
        yield stem or folder, members


def _table_stem(stem: str) -> str:
    """A file's table name without its digits (dates, sequence numbers); "" for Spark part files."""
    if stem.lower().startswith("part-"):
        return ""
    return re.sub(r"[-_. ]+", "_", re.sub(r"\d+", "", stem)).strip("_")


def _data_files(folder: Path) -> list[Path]:
    return sorted(
        p
        for p in folder.rglob("*")
        if p.is_file() and p.suffix.lower() in FORMATS and not p.name.startswith((".", "_"))
    )


def read_table(name: str, files: list[Path], max_rows: int = DEFAULT_MAX_ROWS) -> TableSample:
    """Read up to `max_rows` rows of one table, files in name order."""
    formats = sorted({FORMATS[f.suffix.lower()] for f in files})
    if len(formats) > 1:
        raise SampleError(f"table {name!r} mixes formats {', '.join(formats)}: {', '.join(map(str, files))}")
    reader = READERS[formats[0]]()
    rows, total, stride = spread_sample((row for file in files for row in reader.rows(file)), max_rows)
    columns = dict.fromkeys(reader.declared)
    for row in rows:
        columns.update(dict.fromkeys(row))
    headers = spec_names(columns)
    lowered = [{headers[k]: v for k, v in row.items()} for row in rows]
    names = tuple(headers.values())
    tokens = find_null_tokens(lowered, names) if formats[0] != "parquet" else ()
    if tokens:
        lowered = [{k: None if _is_token(v, set(tokens)) else v for k, v in row.items()} for row in lowered]
    return TableSample(
        name=name,
        format=formats[0],
        files=tuple(files),
        columns=names,
        rows=lowered,
        null_values=tokens,
        headers=headers,
        truncated=stride > 1,
        total_rows=total,
        stride=stride,
        options=reader.options,
        malformed=reader.malformed,
    )


class _Reader:
    """What the readers share: reader options found, malformed rows, declared columns."""

    def __init__(self) -> None:
        self.options: dict[str, str] = {}
        self.malformed = 0
        self.declared: dict[str, None] = {}
        """Columns named by a header or schema, even when no row has a value."""

    def rows(self, file: Path) -> Iterator[dict[str, Any]]:
        raise NotImplementedError


class _CsvReader(_Reader):
    """CSV with a header line (the readers' default); empty fields are NULL (Spark's nullValue)."""

    def rows(self, file: Path) -> Iterator[dict[str, Any]]:
        codec, declared = file_encoding(file)
        if declared:
            self.options["encoding"] = declared
        with file.open(newline="", encoding=codec) as handle:
            head = handle.read(65536)
            handle.seek(0)
            delimiter = _sniff_delimiter(head)
            if delimiter != ",":
                self.options["sep"] = delimiter
            reader = csv.DictReader(handle, delimiter=delimiter)
            self.declared.update(dict.fromkeys(reader.fieldnames or ()))
            for row in reader:
                yield {k: (v if v != "" else None) for k, v in row.items() if k is not None}


def file_encoding(file: Path) -> tuple[str, str | None]:
    """How to read a text file: (Python codec, the `encoding` option Spark needs or None for
    UTF-8). A UTF-16 byte-order mark says UTF-16; bytes that are not UTF-8 are ISO-8859-1 (every
    byte is a character there, so nothing is lost)."""
    with file.open("rb") as handle:
        head = handle.read(1 << 16)
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "utf-16", "UTF-16"
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        if error.start < len(head) - 3:  # not merely a character cut at the end of the read
            return "latin-1", "ISO-8859-1"
    return "utf-8-sig", None


def _sniff_delimiter(head: str) -> str:
    try:
        return csv.Sniffer().sniff(head.split("\n", 1)[0], delimiters=",;\t|").delimiter
    except csv.Error:
        return ","


class _JsonReader(_Reader):
    """JSON lines, or one JSON array per file (Spark's multiLine option)."""

    def rows(self, file: Path) -> Iterator[dict[str, Any]]:
        codec, declared = file_encoding(file)
        if declared:
            self.options["encoding"] = declared
        with file.open(encoding=codec) as handle:
            head = handle.read(4096)
        first_line = head.lstrip().split("\n", 1)[0]
        if head.lstrip().startswith("[") or (first_line.startswith("{") and self._parse(first_line) is None):
            # one document per file: an array, or one pretty-printed record
            self.options["multiLine"] = "true"
            records: Iterable[Any] = self._document(file, codec)
        else:
            records = self._lines(file, codec)
        for record in records:
            if not isinstance(record, dict):
                self.malformed += 1
            else:
                yield {
                    k: json.dumps(v, sort_keys=True) if isinstance(v, (dict, list)) else v
                    for k, v in record.items()
                }

    def _lines(self, file: Path, codec: str) -> Iterator[Any]:
        """One record per line, read line by line (a file of any size in bounded memory)."""
        with file.open(encoding=codec) as handle:
            for line in handle:
                if line.strip():
                    yield self._parse(line)

    @staticmethod
    def _document(file: Path, codec: str) -> list[Any]:
        """The records of a file holding one JSON document, an array of records or one record
        (read whole: at most MAX_ARRAY_BYTES)."""
        size = file.stat().st_size
        if size > MAX_ARRAY_BYTES:
            raise SampleError(
                f"{file}: one JSON document of {size / 2**20:,.0f} MiB; infer reads documents of at most "
                f"{MAX_ARRAY_BYTES // 2**20} MiB: give it JSON lines (one record per line) or a smaller file"
            )
        try:
            document = json.loads(file.read_text(encoding=codec))
        except json.JSONDecodeError as error:
            raise SampleError(f"{file}: not one JSON document ({error.msg} at line {error.lineno})") from None
        return document if isinstance(document, list) else [document]

    @staticmethod
    def _parse(line: str) -> Any:
        """A record, or None for a malformed line (Spark keeps those as corrupt records)."""
        try:
            return json.loads(line)
        except json.JSONDecodeError:
            return None


class _ParquetReader(_Reader):
    """Parquet, typed or landed as text: silver try_casts either way, so values decide the type."""

    def rows(self, file: Path) -> Iterator[dict[str, Any]]:
        import pyarrow.parquet as pq

        parquet = pq.ParquetFile(file)
        self.declared.update(dict.fromkeys(parquet.schema_arrow.names))
        for batch in parquet.iter_batches(batch_size=10_000):
            for row in batch.to_pylist():
                yield {
                    k: json.dumps(v, sort_keys=True, default=str) if isinstance(v, (dict, list)) else v
                    for k, v in row.items()
                }


READERS: dict[str, type[_Reader]] = {"csv": _CsvReader, "json": _JsonReader, "parquet": _ParquetReader}
