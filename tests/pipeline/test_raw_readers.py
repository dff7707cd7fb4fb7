"""The local CSV and JSON readers on real files, through Spark's own parsers (classic session).

Each case is a small file whose bytes say what is tricky; the test reads the source's raw
stream the way bronze does and checks what lands in the columns and in `_rescued_data`.
The same cases run through a whole pipeline (bronze, silver, quarantine) in
test_raw_files_run.py.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import pytest
import yaml

from medallion import readers
from medallion.context import PipelineContext, Settings
from medallion.records import CSV_MARGIN, ENCODING_ERROR_KEY, CsvLayout, rescue_keys
from medallion.spec import load_spec

COLUMNS = {"id": "int", "name": "string", "note": "string"}
# file name -> bytes; every file has its own header (order, extra columns, line endings)
CSV_FILES = {
    "a_quoted.csv": b'id,name,note\n1,"Ann ""The Hammer"" Lee","two\nlines"\n2,"Bob, Jr.",plain\n',
    "b_reordered.csv": b"note,id,name,loyalty\nfirst,3,Cy,gold\n",
    "c_crlf.csv": b'id,name,note\r\n4,Dee,"crlf\r\ninside"\r\n5,Eve,\r\n',
    "d_extra.csv": b"id,name,note\n6,Fay,ok,EXTRA1,EXTRA2\n7\n",
    "e_latin1.csv": "id,name,note\n8,José,café\n".encode("latin-1"),
    "f_wide.csv": (
        "id,name,note\n9,Gil,n," + ",".join(f"x{i}" for i in range(CSV_MARGIN + 3)) + "\n"
    ).encode(),
}


def spec_file(tmp_path: Path, fmt: str, options: dict[str, str] | None = None) -> Path:
    source: dict[str, Any] = {"type": "files", "format": fmt}
    if options:
        source["options"] = options
    document = {
        "version": 1,
        "defaults": {"source": source},
        "sources": {"t": {"columns": COLUMNS, "primary_key": ["id"]}},
    }
    path = tmp_path / "medallion.yml"
    path.write_text(yaml.safe_dump(document))
    return path


def read_source(
    spark: Any, tmp_path: Path, fmt: str, files: dict[str, bytes], **options: str
) -> dict[str, Any]:
    """Write the files under <tmp>/raw/t/, stream them as bronze does; rows by id (or raw text)."""
    folder = tmp_path / "raw" / "t"
    folder.mkdir(parents=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    path = spec_file(tmp_path, fmt, options)
    settings = Settings(engine="local", spec_path=str(path), source_location=str(tmp_path / "raw"))
    ctx = PipelineContext(spark, None, load_spec(path), settings)
    stream = readers.stream_builder(ctx, ctx.spec.sources[0])()
    name = f"raw_{time.monotonic_ns()}"
    query = stream.writeStream.format("memory").queryName(name).trigger(availableNow=True).start()
    query.awaitTermination()
    rows = [row.asDict() for row in spark.table(name).collect()]
    return {row["id"] or row["_rescued_data"]: row for row in rows}


def rescued(row: dict[str, Any]) -> dict[str, Any]:
    return json.loads(row["_rescued_data"]) if row["_rescued_data"] else {}


@pytest.fixture(scope="module")
def csv_rows(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return read_source(spark, tmp_path_factory.mktemp("csv"), "csv", CSV_FILES)


def test_csv_reads_every_record_once(csv_rows: dict[str, Any]) -> None:
    assert sorted(csv_rows) == [str(i) for i in range(1, 10)]


def test_csv_quoted_newlines_and_escaped_quotes(csv_rows: dict[str, Any]) -> None:
    assert csv_rows["1"]["name"] == 'Ann "The Hammer" Lee'
    assert csv_rows["1"]["note"] == "two\nlines"
    assert csv_rows["2"]["name"] == "Bob, Jr."
    assert csv_rows["1"]["_rescued_data"] is None and csv_rows["2"]["_rescued_data"] is None


def test_csv_columns_by_name_per_file(csv_rows: dict[str, Any]) -> None:
    row = csv_rows["3"]
    assert (row["name"], row["note"]) == ("Cy", "first")
    assert rescued(row) == {"loyalty": "gold"}


def test_csv_crlf_line_endings(csv_rows: dict[str, Any]) -> None:
    # Spark's parser (univocity) normalises a line break inside quotes to \n; the raw record keeps it
    assert csv_rows["4"]["name"] == "Dee" and csv_rows["4"]["note"] == "crlf\ninside"
    assert rescued(csv_rows["4"]) == {"_raw_record": '4,Dee,"crlf\r\ninside"'}
    assert csv_rows["5"]["name"] == "Eve" and csv_rows["5"]["note"] is None


def test_csv_extra_and_missing_fields(csv_rows: dict[str, Any]) -> None:
    assert rescued(csv_rows["6"]) == {"_c3": "EXTRA1", "_c4": "EXTRA2"}
    assert csv_rows["6"]["note"] == "ok"
    assert (csv_rows["7"]["name"], csv_rows["7"]["_rescued_data"]) == (None, None)


def test_csv_wider_than_the_margin_keeps_the_raw_record(csv_rows: dict[str, Any]) -> None:
    extra = rescued(csv_rows["9"])
    assert extra["_raw_record"].startswith("9,Gil,n,x0,") and extra["_raw_record"].endswith("x10")
    assert csv_rows["9"]["name"] == "Gil"


def test_csv_latin1_without_encoding_is_rescued_not_altered(csv_rows: dict[str, Any]) -> None:
    row = csv_rows["8"]
    assert row["name"] is None and row["note"] is None
    extra = rescued(row)
    assert "ISO-8859-1" in extra[ENCODING_ERROR_KEY]
    assert extra["name"] == "Jos\ufffd"


def test_csv_latin1_with_declared_encoding(spark: Any, tmp_path: Path) -> None:
    rows = read_source(spark, tmp_path, "csv", {"e.csv": CSV_FILES["e_latin1.csv"]}, encoding="ISO-8859-1")
    assert (rows["8"]["name"], rows["8"]["note"], rows["8"]["_rescued_data"]) == ("José", "café", None)


def test_json_unknown_keys_bad_lines_and_encoding(spark: Any, tmp_path: Path) -> None:
    files = {
        "a.json": b'{"id": 1, "name": "Ann", "vip": true}\r\n{not json\n\n{"id": 2, "note": "x"}\n',
        "b.json": '{"id": 3, "name": "José"}\n'.encode("latin-1"),
    }
    rows = read_source(spark, tmp_path, "json", files)
    assert rescued(rows["1"]) == {"vip": "true"} and rows["2"]["note"] == "x"
    assert rescued(rows['{"_raw_record":"{not json"}']) == {"_raw_record": "{not json"}
    assert rows["3"]["name"] is None and ENCODING_ERROR_KEY in rescued(rows["3"])
    declared = read_source(
        spark, tmp_path / "declared", "json", {"b.json": files["b.json"]}, encoding="ISO-8859-1"
    )
    assert declared["3"]["name"] == "José" and declared["3"]["_rescued_data"] is None


def test_rescue_keys_never_clash() -> None:
    keys = rescue_keys(("id", "x", "id", "", "_raw_record", "name"), ("id", "name"))
    assert keys == {1: "x", 2: "_c2", 3: "_c3", 4: "_c4"}


def test_layout_width_has_a_margin() -> None:
    layout = CsvLayout((("a", "b"), ("a", "b", "c")), {})
    assert layout.width == 3 + CSV_MARGIN
    assert layout.schema().count(" STRING") == layout.width + 1


def test_csv_in_utf16_reads_as_infer_declares_it(spark: Any, tmp_path: Path) -> None:
    """infer drafts encoding: UTF-16 for a file with a UTF-16 byte-order mark; the local reader
    then reads every record and every character."""
    data = "id,name,note\n1,Zoë,café\n2,Łukasz,naïve\n".encode("utf-16")
    rows = read_source(spark, tmp_path, "csv", {"utf16.csv": data}, encoding="UTF-16")
    assert {k: (v["name"], v["note"]) for k, v in rows.items()} == {
        "1": ("Zoë", "café"),
        "2": ("Łukasz", "naïve"),
    }
    assert all(v["_rescued_data"] is None for v in rows.values())


def test_csv_quoted_empty_stays_empty_text_and_unquoted_empty_is_null(spark: Any, tmp_path: Path) -> None:
    """Bronze keeps what was received: `""` is an empty text, a field with nothing is no value."""
    data = b'id,name,note\n1,"",x\n2,,y\n'
    rows = read_source(spark, tmp_path, "csv", {"empty.csv": data})
    assert (rows["1"]["name"], rows["2"]["name"]) == ("", None)


def test_json_documents_read_as_infer_drafts_them(spark: Any, tmp_path: Path) -> None:
    """infer drafts multiLine: true for a file holding a JSON array; the local reader then reads
    each element as a record (as Auto Loader does), a pretty-printed single record as one, and
    keeps a file that does not parse whole in `_rescued_data`."""
    array = json.dumps([{"id": 1, "name": "Ann"}, {"id": 2, "name": "Bob", "extra": True}], indent=2)
    single = json.dumps({"id": 3, "name": "Cy"}, indent=2)
    files = {"a.json": array.encode(), "b.json": single.encode(), "c.json": b'[{"id": 4, "name": '}
    rows = read_source(spark, tmp_path, "json", files, multiLine="true")
    assert {k: v["name"] for k, v in rows.items() if k in ("1", "2", "3")} == {
        "1": "Ann",
        "2": "Bob",
        "3": "Cy",
    }
    assert rescued(rows["2"]) == {"extra": "true"}
    (broken,) = [v for k, v in rows.items() if k not in ("1", "2", "3")]
    assert rescued(broken)["_raw_record"] == '[{"id": 4, "name": '


def test_utf16_files_without_a_declared_encoding_are_named(
    spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = "id,name,note\n1,Zoë,café\n".encode("utf-16")
    read_source(spark, tmp_path, "csv", {"utf16.csv": data})
    assert "source t: utf16.csv start with a UTF-16 byte-order mark; declare" in capsys.readouterr().err


def test_json_a_record_not_kept_whole_is_rescued_raw(spark: Any, tmp_path: Path) -> None:
    """A key written twice, or text after the closing brace: the columns hold what the parser
    read and `_rescued_data` keeps the line as received; a plain record rescues nothing."""
    lines = [
        '{"id": 1, "name": "Ann", "name": "Annie"}',
        '{"id": 2, "name": "Bob"} and more',
        '{"id": 3, "name": "Cy"}\t',
        '{"id": 4, "name": "Di", "x": 1, "x": 2}',
        '{"id": 5, "name": "half \\ud800 pair"}',
        '{"id": 6, "name": "whole \\ud83d\\ude00 pair"}',
        '{"id": 7, "name": "G", "price": 1.10, "size": 1e2}',
        '{"id": 8, "name": "H", "price": 1.5, "n": [10, 20]}',
    ]
    rows = read_source(spark, tmp_path, "json", {"a.json": ("\n".join(lines) + "\n").encode()})
    assert rescued(rows["1"])["_raw_record"] == lines[0]
    assert rescued(rows["2"])["_raw_record"] == lines[1] and rows["2"]["name"] == "Bob"
    assert rows["3"]["_rescued_data"] is None
    assert rescued(rows["4"])["_raw_record"] == lines[3]  # an unknown key written twice
    assert rescued(rows["5"])["_raw_record"] == lines[4]  # half a UTF-16 pair is no character
    assert rows["6"]["name"] == "whole \U0001f600 pair" and rows["6"]["_rescued_data"] is None
    assert rescued(rows["7"])["_raw_record"] == lines[6]  # 1.10 and 1e2 would print as 1.1 and 100.0
    assert rescued(rows["8"]) == {"price": "1.5", "n": "[10,20]"}  # as written: unknown keys only


def test_a_file_name_with_control_characters_is_shown_escaped(
    spark: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """File names come from outside: the warning that names them cannot rewrite the terminal."""
    data = "id,name,note\n1,Zoë,café\n".encode("utf-16")
    read_source(spark, tmp_path, "csv", {"evil\x1b[2J.csv": data})
    err = capsys.readouterr().err
    assert "evil\\x1b[2J.csv start with a UTF-16 byte-order mark" in err and "\x1b" not in err


def test_csv_a_record_not_kept_whole_is_rescued_raw(spark: Any, tmp_path: Path) -> None:
    """A backslash-escaped quote (not RFC 4180) and CRLF inside quotes (read as LF) keep their
    raw text whole in `_rescued_data`; RFC 4180 records, quoted or not, rescue nothing."""
    data = (
        b'id,name,note\r\n1,"say \\"hi\\", ok",x\r\n2,Ann,"two\r\nlines"\r\n'
        b'3,"""quoted"" start","a, b"\r\n4,ab"c,""\r\n'
    )
    rows = read_source(spark, tmp_path, "csv", {"odd.csv": data})
    assert rescued(rows["1"])["_raw_record"] == '1,"say \\"hi\\", ok",x'
    assert rescued(rows["2"]) == {"_raw_record": '2,Ann,"two\r\nlines"'}
    assert rows["2"]["note"] == "two\nlines"
    assert (rows["3"]["name"], rows["3"]["note"], rows["3"]["_rescued_data"]) == (
        '"quoted" start',
        "a, b",
        None,
    )
    assert (rows["4"]["name"], rows["4"]["_rescued_data"]) == ('ab"c', None)


def test_csv_with_a_declared_backslash_escape_reads_the_field(spark: Any, tmp_path: Path) -> None:
    data = b'id,name,note\n1,"say \\"hi\\", ok",x\n'
    rows = read_source(spark, tmp_path, "csv", {"odd.csv": data}, escape="\\")
    assert (rows["1"]["name"], rows["1"]["note"], rows["1"]["_rescued_data"]) == ('say "hi", ok', "x", None)


def test_csv_tab_separated_records_are_kept_whole(spark: Any, tmp_path: Path) -> None:
    data = b'id\tname\tnote\n1\t"a\tb"\tx\n'
    rows = read_source(spark, tmp_path, "csv", {"t.tsv": data}, sep="\\t")
    assert (rows["1"]["name"], rows["1"]["_rescued_data"]) == ("a\tb", None)
