"""More bad raw files through the local readers: what lands in the columns and `_rescued_data`.

With test_raw_readers.py these make the reliability suite's bad data files:
each file either lands in its columns or is rescued whole, visibly; none stops the stream.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.pipeline.test_raw_readers import read_source, rescued

CSV_EDGE_FILES = {
    "a_bom.csv": "\ufeffid,name,note\n10,Bom,x\n".encode(),
    "b_header_only.csv": b"id,name,note\n",
    "c_empty.csv": b"",
    "d_semicolon.csv": b"id;name;note\n11;Semi;y\n",
    "e_nul.csv": b"id,name,note\n12,Nu\x00l,z\n",
}
JSON_EDGE_FILE = b'[1,2]\n{"id": 13, "name": {"first": "N"}, "note": 5}\n"str"\n{"id": "x14"}\n'


@pytest.fixture(scope="module")
def csv_rows(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return read_source(spark, tmp_path_factory.mktemp("csv_edge"), "csv", CSV_EDGE_FILES)


@pytest.fixture(scope="module")
def json_rows(spark: Any, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return read_source(spark, tmp_path_factory.mktemp("json_edge"), "json", {"a.json": JSON_EDGE_FILE})


def test_a_byte_order_mark_does_not_rename_the_first_column(csv_rows: dict[str, Any]) -> None:
    assert (csv_rows["10"]["name"], csv_rows["10"]["_rescued_data"]) == ("Bom", None)


def test_header_only_and_empty_files_add_no_rows(csv_rows: dict[str, Any]) -> None:
    assert len(csv_rows) == 3  # a_bom, d_semicolon (rescued), e_nul


def test_another_delimiter_is_rescued_whole(csv_rows: dict[str, Any]) -> None:
    (row,) = [r for r in csv_rows.values() if r["id"] is None]
    assert rescued(row) == {"id;name;note": "11;Semi;y"}


def test_a_nul_byte_is_kept_not_dropped(csv_rows: dict[str, Any]) -> None:
    assert csv_rows["12"]["name"] == "Nu\x00l"


def test_json_lines_that_are_not_objects_are_rescued_whole(json_rows: dict[str, Any]) -> None:
    raw = sorted(rescued(r)["_raw_record"] for r in json_rows.values() if r["id"] is None)
    assert raw == ['"str"', "[1,2]"]


def test_json_nested_values_arrive_as_json_text(json_rows: dict[str, Any]) -> None:
    assert (json_rows["13"]["name"], json_rows["13"]["note"]) == ('{"first":"N"}', "5")


def test_json_text_in_a_typed_column_waits_for_silver(json_rows: dict[str, Any]) -> None:
    """Bronze keeps raw text: silver's cast of id sends 'x14' to quarantine with its reason."""
    assert (json_rows["x14"]["id"], json_rows["x14"]["_rescued_data"]) == ("x14", None)
