"""Tricky CSV and JSON files through a whole local pipeline run: bronze, rescue, silver, quarantine.

One run, four sources: every CSV case of test_raw_readers in one folder (quoted newlines,
escaped quotes, CRLF, reordered and extra columns per file, a record wider than the read
width, a Latin-1 file without a declared encoding), the Latin-1 file again with
`encoding: ISO-8859-1`, and JSON lines with an unknown key, a broken line and Latin-1 text,
undeclared and declared. A fifth source is one generated CSV file of more than 100 MB, and the
whole run has a 512 MiB driver heap: memory does not grow with file size (the reader this one
replaced ran an 8 GiB heap out of memory on a 75 MB file).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from medallion.records import ENCODING_ERROR_KEY
from tests.pipeline.test_raw_readers import CSV_FILES
from tests.support.local_run import LocalRun, copy_project, run_local, warehouse_table

pytestmark = pytest.mark.pipeline
COLUMNS = {"id": "int", "name": "string", "note": "string"}
RULES = [
    {"use": "not_null", "column": "id", "action": "drop"},
    {"use": "not_null", "column": "name", "action": "drop"},
]
JSON_FILES = {
    "a.json": b'{"id": 1, "name": "Ann", "vip": true}\r\n{not json\n\n{"id": 2, "name": "Bo", "note": "x"}\n',
    "b.json": '{"id": 3, "name": "José"}\n'.encode("latin-1"),
}
SOURCES: dict[str, tuple[str, dict[str, str], dict[str, bytes]]] = {
    "people_csv": ("csv", {}, CSV_FILES),
    "people_latin1": ("csv", {"encoding": "ISO-8859-1"}, {"e.csv": CSV_FILES["e_latin1.csv"]}),
    "events_json": ("json", {}, JSON_FILES),
    "events_latin1": ("json", {"encoding": "ISO-8859-1"}, {"b.json": JSON_FILES["b.json"]}),
}


BIG_ROWS = 1_400_000
BIG_HEAP = "512m"


def write_big_csv(path: Path) -> int:
    """BIG_ROWS rows, every 50th with a quoted note holding a comma, quotes and a newline."""
    path.parent.mkdir(parents=True)
    quoted = '"a note, with a comma and ""quotes""\nand a second line"'
    plain = "plain note text for this row padded to a realistic width of some sixty characters"
    with path.open("w") as handle:
        handle.write("id,name,note\n")
        for i in range(BIG_ROWS):
            handle.write(f"{i},customer {i % 100_000:06d},{quoted if i % 50 == 0 else plain}\n")
    return path.stat().st_size


@dataclass(frozen=True)
class RawRun:
    project: Path
    run: LocalRun


def spec_document() -> dict[str, Any]:
    sources = {}
    for name, (fmt, options, _) in {**SOURCES, "big_csv": ("csv", {}, {})}.items():
        source: dict[str, Any] = {"type": "files", "format": fmt}
        if options:
            source["options"] = options
        sources[name] = {"source": source, "columns": COLUMNS, "primary_key": ["id"], "expectations": RULES}
    return {"version": 1, "defaults": {"source": {"type": "files", "format": "csv"}}, "sources": sources}


@pytest.fixture(scope="module")
def raw_run(rendered_retail: Path, tmp_path_factory: pytest.TempPathFactory) -> RawRun:
    project = copy_project(rendered_retail, tmp_path_factory.mktemp("raw_files") / "project")
    (project / "medallion.yml").write_text(yaml.safe_dump(spec_document(), sort_keys=False))
    for name, (_, _, files) in SOURCES.items():
        folder = project / "raw" / name
        folder.mkdir(parents=True)
        for file_name, data in files.items():
            (folder / file_name).write_bytes(data)
    size = write_big_csv(project / "raw" / "big_csv" / "big.csv")
    assert size > 100_000_000
    run = run_local(project, "--source", str(project / "raw"), "--driver-memory", BIG_HEAP)
    (project / "raw" / "big_csv" / "big.csv").unlink()
    assert run.report, run.output
    return RawRun(project, run)


def rows(spark: Any, raw: RawRun, table: str) -> dict[str, dict[str, Any]]:
    found = [r.asDict() for r in warehouse_table(spark, raw.run, table).collect()]
    return {str(r["id"]) if r["id"] is not None else r["_rescued_data"]: r for r in found}


def rescued(row: dict[str, Any]) -> dict[str, Any]:
    return json.loads(row["_rescued_data"]) if row["_rescued_data"] else {}


def test_run_completes_and_every_record_is_kept(raw_run: RawRun) -> None:
    report = raw_run.run.report
    assert report["status"] == "COMPLETED", raw_run.run.output
    expected = {"people_csv": 9, "people_latin1": 1, "events_json": 4, "events_latin1": 1}
    for source, count in expected.items():
        assert report["tables"][f"bronze_{source}"]["rows"] == count, source
        assert report["conservation"][source]["balanced"] is True, report["conservation"][source]


def test_a_large_csv_streams_through_a_small_heap(raw_run: RawRun) -> None:
    report = raw_run.run.report
    assert report["resources"]["driver_memory"] == BIG_HEAP
    assert report["tables"]["bronze_big_csv"]["rows"] == BIG_ROWS
    assert report["tables"]["silver_big_csv"]["rows"] == BIG_ROWS
    assert report["conservation"]["big_csv"]["balanced"] is True


def test_csv_values_reach_silver_unaltered(raw_run: RawRun, spark: Any) -> None:
    silver = rows(spark, raw_run, "silver_people_csv")
    assert silver["1"]["name"] == 'Ann "The Hammer" Lee' and silver["1"]["note"] == "two\nlines"
    assert silver["2"]["name"] == "Bob, Jr."
    assert (silver["3"]["name"], silver["3"]["note"]) == ("Cy", "first")  # reordered columns
    assert silver["4"]["note"] == "crlf\ninside" and silver["5"]["name"] == "Eve"
    assert sorted(silver) == ["1", "2", "3", "4", "5", "6", "9"]


def test_csv_rescue_in_bronze(raw_run: RawRun, spark: Any) -> None:
    bronze = rows(spark, raw_run, "bronze_people_csv")
    assert rescued(bronze["3"]) == {"loyalty": "gold"}
    assert rescued(bronze["6"]) == {"_c3": "EXTRA1", "_c4": "EXTRA2"}
    assert rescued(bronze["9"])["_raw_record"].startswith("9,Gil,n,x0,")
    assert all(bronze[i]["_source_file"].endswith(".csv") for i in bronze)


def test_latin1_without_encoding_is_quarantined_visibly(raw_run: RawRun, spark: Any) -> None:
    quarantine = rows(spark, raw_run, "quarantine_people_csv")
    assert sorted(quarantine) == ["7", "8"]  # 7 has no name; 8's name was not UTF-8
    latin = quarantine["8"]
    assert latin["name"] is None and "not_null_name" in latin["_errors"]
    assert rescued(latin)["name"] == "Jos\ufffd" and "ISO-8859-1" in rescued(latin)[ENCODING_ERROR_KEY]


def test_latin1_with_declared_encoding_is_decoded(raw_run: RawRun, spark: Any) -> None:
    assert rows(spark, raw_run, "silver_people_latin1")["8"]["name"] == "José"
    assert rows(spark, raw_run, "silver_events_latin1")["3"]["name"] == "José"


def test_json_unknown_keys_broken_lines_and_encoding(raw_run: RawRun, spark: Any) -> None:
    bronze = rows(spark, raw_run, "bronze_events_json")
    assert rescued(bronze["1"]) == {"vip": "true"}
    quarantine = rows(spark, raw_run, "quarantine_events_json")
    broken = quarantine['{"_raw_record":"{not json"}']
    assert "not_null_id" in broken["_errors"]
    assert ENCODING_ERROR_KEY in rescued(quarantine["3"])
    assert sorted(rows(spark, raw_run, "silver_events_json")) == ["1", "2"]
