"""build_report on hand-made tables: counts, conservation, duplicates, reasons, orphans, verdict."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from medallion.spec import load_spec
from medallion.tooling.local.run_report import build_report, count_in_one_job
from medallion.tooling.local.run_report_text import format_report
from medallion.tooling.local.table_quality import orphans

SPEC: dict[str, Any] = {
    "version": 1,
    "defaults": {"source": {"type": "files", "format": "json"}},
    "sources": {
        "customers": {
            "columns": {"id": "string", "updated_at": "timestamp"},
            "primary_key": ["id"],
            "expectations": [
                {"use": "not_null", "column": "id", "action": "drop"},
                {"use": "unique", "action": "warn"},
            ],
        },
        "orders": {
            "columns": {"id": "string", "customer_id": "string", "qty": "int"},
            "primary_key": ["id"],
            "expectations": [
                {"use": "range", "column": "qty", "min": 1, "action": "drop"},
                {"name": "qty_small", "rule": "qty < 100", "action": "fail"},
            ],
            "references": [{"columns": ["customer_id"], "table": "customers"}],
        },
    },
}
AUDIT = "_rescued_data STRING, _ingested_at TIMESTAMP, _source_file STRING, _update_id STRING"


def tables(spark: Any) -> dict[str, Any]:
    c = "id STRING, updated_at STRING, " + AUDIT
    o = "id STRING, customer_id STRING, qty STRING, " + AUDIT
    q = f"id STRING, customer_id STRING, qty INT, {AUDIT}, _errors ARRAY<STRING>"
    a = (None, None, None, None)
    return {
        "bronze_customers": spark.createDataFrame([("c1", "2024-01-01", *a), ("c1", "2024-01-02", *a)], c),
        "silver_customers_history": spark.createDataFrame(
            [("c1", "2024-01-01", *a), ("c1", "2024-01-02", *a)], c
        ),
        "quarantine_customers": spark.createDataFrame([], f"id STRING, {AUDIT}, _errors ARRAY<STRING>"),
        "silver_customers": spark.createDataFrame([("c1", "2024-01-02", *a)], c),
        "bronze_orders": spark.createDataFrame(
            [("o1", "c1", "2", *a), ("o2", "c9", "5", *a), ("o3", "c1", "x", *a), ("o4", "c1", "500", *a)], o
        ),
        "silver_orders_history": spark.createDataFrame(
            [("o1", "c1", "2", *a), ("o2", "c9", "5", *a), ("o4", "c1", "500", *a)], o
        ),
        "quarantine_orders": spark.createDataFrame([("o3", "c1", None, *a, ["range_qty", "qty_small"])], q),
        "silver_orders": spark.createDataFrame(
            [("o1", "c1", "2", *a), ("o2", "c9", "5", *a), ("o4", "c1", "500", *a)], o
        ),
    }


def test_report_shape_and_verdict(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "medallion.yml"
    path.write_text(yaml.safe_dump(SPEC))
    frames = tables(spark)
    report = build_report(spark, load_spec(path), frames.__getitem__, flows={"bronze_orders": "COMPLETED"})
    assert report["tables"]["bronze_orders"] == {"rows": 4, "layer": "bronze"}
    assert report["conservation"]["orders"] == {"bronze": 4, "history": 3, "quarantine": 1, "balanced": True}
    assert report["duplicates"] == {"silver_customers": 1, "silver_orders": 0}
    rules = {r["rule"]: r for r in report["rules"]}
    assert rules["range_qty"] | {} == {
        "table": "silver_orders_history",
        "rule": "range_qty",
        "action": "drop",
        "passed": 3,
        "failed": 1,
    }
    assert (rules["qty_small"]["passed"], rules["qty_small"]["failed"]) == (2, 2)
    assert report["quarantine_reasons"]["quarantine_orders"] == [
        {"rule": "qty_small", "rows": 1},
        {"rule": "range_qty", "rows": 1},
    ]
    assert report["orphans"] == [
        {
            "table": "silver_orders",
            "columns": ["customer_id"],
            "references": "silver_customers",
            "checked": 3,
            "orphans": 1,
        }
    ]
    assert report["table_checks"][0]["passed"] is True
    assert report["status"] == "FAILED"
    assert any("fail rule qty_small" in e for e in report["errors"])
    assert "FAILED in" in format_report(report)


def test_missing_table_fails_the_report(spark: Any, tmp_path: Path) -> None:
    path = tmp_path / "medallion.yml"
    path.write_text(yaml.safe_dump({**SPEC, "sources": {"customers": SPEC["sources"]["customers"]}}))
    frames = {k: v for k, v in tables(spark).items() if "customers" in k and k != "silver_customers"}

    def read(name: str) -> Any:
        if name not in frames:
            raise LookupError(f"[TABLE_OR_VIEW_NOT_FOUND] {name}")
        return frames[name]

    report = build_report(spark, load_spec(path), read)
    assert report["status"] == "FAILED"
    assert report["tables"]["silver_customers"]["rows"] is None
    assert report["table_checks"] == []


def test_orphans_skip_null_keys_and_count_each_child_row_once(spark: Any, tmp_path: Path) -> None:
    """A composite reference: rows with a NULL key part are not checked; a parent key present
    twice (two current rows) must not count its children twice; a partial match is an orphan."""
    spec = {
        "version": 1,
        "defaults": {"source": {"type": "files", "format": "json"}},
        "sources": {
            "stores": {"columns": {"region": "string", "code": "string"}, "primary_key": ["region", "code"]},
            "sales": {
                "columns": {"id": "string", "region": "string", "store": "string"},
                "primary_key": ["id"],
                "references": [
                    {"columns": ["region", "store"], "table": "stores", "key": ["region", "code"]}
                ],
            },
        },
    }
    path = tmp_path / "medallion.yml"
    path.write_text(yaml.safe_dump(spec))
    stores = spark.createDataFrame([("eu", "s1"), ("eu", "s1"), ("us", "s2")], "region STRING, code STRING")
    sales = spark.createDataFrame(
        [
            ("1", "eu", "s1"),  # found (its parent key is on two rows)
            ("2", "us", "s2"),  # found
            ("3", "us", "s1"),  # each part exists, the pair does not: an orphan
            ("4", None, "s1"),  # not checked
            ("5", "eu", None),  # not checked
            ("6", "xx", "s9"),  # an orphan
        ],
        "id STRING, region STRING, store STRING",
    )
    frames = {"silver_stores": stores, "silver_sales": sales}
    (found,) = orphans(frames.__getitem__, load_spec(path), load_spec(path).source("sales"))
    assert (found["checked"], found["orphans"]) == (4, 2)


def test_every_table_is_counted_in_one_query_unless_one_is_missing(spark: Any) -> None:
    """The report counts the tables with one Spark query; a table that cannot be read makes it
    give up (None), and build_report then counts each table alone to name the missing one."""
    frames = tables(spark)
    counted = count_in_one_job(frames.__getitem__, list(frames))
    assert counted == {name: frame.count() for name, frame in frames.items()}
    assert count_in_one_job(frames.__getitem__, [*frames, "not_there"]) is None


def test_rescued_records_are_counted_per_file_and_shown(spark: Any, tmp_path: Path) -> None:
    """The report says per file how many bronze records kept something in `_rescued_data`."""
    path = tmp_path / "medallion.yml"
    path.write_text(yaml.safe_dump(SPEC))
    frames = tables(spark)
    o = "id STRING, customer_id STRING, qty STRING, " + AUDIT
    rescued = '{"_raw_record": "x"}'
    frames["bronze_orders"] = spark.createDataFrame(
        [
            ("o1", "c1", "2", rescued, None, "file:/in/orders/a.json", None),
            ("o2", "c9", "5", rescued, None, "file:/in/orders/b.json", None),
            ("o3", "c1", "x", rescued, None, "file:/in/orders/b.json", None),
            ("o4", "c1", "500", None, None, "file:/in/orders/b.json", None),
        ],
        o,
    )
    report = build_report(spark, load_spec(path), frames.__getitem__)
    assert report["rescued"] == {"bronze_orders": {"file:/in/orders/b.json": 2, "file:/in/orders/a.json": 1}}
    assert "rescued     bronze_orders 2 in b.json; bronze_orders 1 in a.json" in format_report(report)
