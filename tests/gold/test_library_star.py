"""A second domain (a library) from its spec alone: composite keys, no *_id names, SCD2 branches."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from pyspark.sql import functions as F

from medallion.gold.dates import date_dimension
from medallion.gold.dimensions import build_dimension
from medallion.gold.facts import build_fact
from medallion.tooling.local.gold_metrics import gold_metrics
from tests.gold.frames import silver
from tests.gold.library_data import BOOKS, BRANCHES, EXPECTED, LOANS
from tests.gold.retail_data import latest

UPPER, LOWER = {"city", "home_city", "return_city"}, {"genre"}


def typed_rows(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """What silver makes of the raw records: case rules applied, money as Decimal."""

    def value(name: str, raw: Any) -> Any:
        if raw is None:
            return None
        if name in UPPER:
            return str(raw).upper()
        if name in LOWER:
            return str(raw).lower()
        return Decimal(raw) if name in ("late_fee", "replacement_cost") else raw

    return [{k: value(k, v) for k, v in r.items()} | {"_ingested_at": "2024-06-01"} for r in rows]


@pytest.fixture(scope="module")
def star(spark, library_spec):
    spec = library_spec
    books = silver(spark, spec, "books", typed_rows(BOOKS))
    branches = silver(spark, spec, "branches", typed_rows(BRANCHES))
    loans = latest(silver(spark, spec, "loans", typed_rows(LOANS)), ["loan_ref"], "recorded_at")
    dims = {d.name: d for d in spec.gold.dimensions}
    tables = {
        "dim_book": build_dimension(spec, dims["book"], latest(books, ["isbn"], "revised_at"), books),
        "dim_branch": build_dimension(
            spec, dims["branch"], latest(branches, ["city", "branch_code"], "changed_at"), branches
        ),
        "dim_date": date_dimension(loans, "borrowed_at"),
    }
    fact = spec.gold.facts[0]
    links = {d: tables[f"dim_{d}"] for d in fact.dimension_names}
    tables["fact_loans"] = build_fact(spec, fact, loans, links)
    return {name: frame.cache() for name, frame in tables.items()}


def test_composite_key_dimension_versions(star):
    versions = star["dim_branch"].where("branch_key <> -1").groupBy("city", "branch_code").count().collect()
    assert {(r["city"], r["branch_code"]): r["count"] for r in versions} == EXPECTED["branch_versions"]
    first = star["dim_branch"].where("city = 'LEEDS' AND NOT is_current").collect()[0]
    assert first["branch_name"] == "Central Library" and first["manager"] == "Ada"


def test_fact_lookups_and_orphans(spark, library_spec, star):
    metrics = gold_metrics(spark, library_spec, lambda name: star[name])["fact_loans"]
    assert metrics["rows"] == EXPECTED["loans"] and metrics["orphans"] == EXPECTED["orphans"]
    assert Decimal(metrics["measures"]["late_fee"]) == EXPECTED["fees"]
    loans = {r["loan_ref"]: r for r in star["fact_loans"].collect()}
    leeds = {
        r["valid_from"].month: r["branch_key"] for r in star["dim_branch"].where("city = 'LEEDS'").collect()
    }
    assert loans["L1"]["branch_key"] == leeds[1] and loans["L2"]["branch_key"] == leeds[4]
    assert loans["L1"]["days_out"] == 41 and loans["L2"]["days_out"] is None
    york = star["dim_branch"].where("city = 'YORK'").collect()[0]["branch_key"]
    assert loans["L1"]["returned_to_key"] == york != loans["L1"]["branch_key"], "each role, its own columns"
    assert loans["L3"]["returned_to_key"] == leeds[4], "the version valid at the event time"
    assert loans["L2"]["returned_to_key"] == loans["L4"]["returned_to_key"] == -1, "still out: unknown"
    assert loans["L2"]["late_fee"] == Decimal("0.00") and loans["L1"]["date_key"] == 20240310


def test_date_dimension_range(star):
    assert star["dim_date"].where("date_key <> -1").count() == EXPECTED["dates"]


def test_region_month_aggregate_sql(spark, library_spec, star):
    from medallion.gold.aggregates import render_sql

    for name, frame in star.items():
        frame.createOrReplaceTempView(name)
    sql = render_sql(library_spec.gold.aggregates[0].sql or "", star)
    rows = spark.sql(sql).where(F.col("region") == "North").collect()
    assert sum(r["loans"] for r in rows) == 3 and sum(r["fees"] for r in rows) == Decimal("1.75")
    may = next(r for r in rows if r["year_month"] == "2024-05")
    assert may["fee_per_loan"] == Decimal("0.125")


def test_role_playing_key_columns_and_constraints(library_spec):
    from medallion.gold.columns import dimension_columns, fact_columns
    from medallion.gold.ddl import fact_cluster_by, fact_constraints

    fact = library_spec.gold.facts[0]
    comments = {c.name: c.comment for c in fact_columns(fact, library_spec.source(fact.source))}
    assert "dim_branch as returned_to (from return_city, return_branch)" in comments["returned_to_key"]
    dims = {d.name: d for d in library_spec.gold.dimensions}
    keys = {
        f"dim_{n}": {c.name for c in dimension_columns(d, library_spec.source(d.source))}
        for n, d in dims.items()
    }
    keys["dim_date"] = {"date_key"}
    references = {}
    for constraint in fact_constraints(fact, with_date=True):
        found = re.fullmatch(
            r"CONSTRAINT `\w+` FOREIGN KEY \(`(\w+)`\) REFERENCES `(\w+)` \(`(\w+)`\)",
            constraint,
        )
        assert found, constraint
        column, table, target = found.groups()
        assert column in comments and target in keys[table], constraint  # both sides exist
        references[column] = (table, target)
    assert references["returned_to_key"] == references["branch_key"] == ("dim_branch", "branch_key")
    assert fact_cluster_by(fact) == ["date_key", "book_key", "branch_key", "returned_to_key"]
