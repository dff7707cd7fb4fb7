"""The loader's gold cross-checks: each mistake fails before Spark starts, naming key and fix."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from medallion.spec import SpecError, load_spec
from tests.gold.conftest import SPECS, retail_spec_text

RETAIL = yaml.safe_load(retail_spec_text())
LIBRARY = yaml.safe_load((SPECS / "library.yml").read_text())


def problems(tmp_path: Path, base: dict, change: Callable[[dict], None]) -> list[str]:
    document = copy.deepcopy(base)
    change(document)
    path = tmp_path / "medallion.yml"
    path.write_text(yaml.safe_dump(document))
    with pytest.raises(SpecError) as error:
        load_spec(path)
    return [f"{p.key}: {p.message}" for p in error.value.problems]


def sales(doc: dict) -> dict:
    return doc["gold"]["facts"]["sales"]


CASES = {
    "unknown dimension": (
        lambda d: sales(d)["dimensions"].update(store=["customer_id"]),
        "gold.facts.sales.dimensions.store: no dimension 'store'",
    ),
    "measure on a missing column": (
        lambda d: sales(d)["measures"].update(margin="amount_net * 2"),
        "gold.facts.sales.measures.margin: refers to unknown column(s) amount_net",
    ),
    "float measure": (
        lambda d: sales(d)["measures"].update(ratio={"expr": "quantity", "type": "double"}),
        "gold.facts.sales.measures.ratio.type: 'double' is not exact",
    ),
    "grain without the primary key": (
        lambda d: sales(d).update(grain=["order_id"]),
        "gold.facts.sales.grain: one fact row per orders row",
    ),
    "event time not a time": (
        lambda d: sales(d).update(event_time="status"),
        "gold.facts.sales.event_time: status must be a date or timestamp",
    ),
    "foreign key type differs": (
        lambda d: sales(d)["dimensions"].update(product=["line_number"]),
        "gold.facts.sales.dimensions.product: line_number is int but dim_product.product_id is string",
    ),
    "measure named like a fact column": (
        lambda d: sales(d)["measures"].update(status="1"),
        "gold.facts.sales.measures.status: a measure cannot share its name",
    ),
    "aggregate over an unknown table": (
        lambda d: d["gold"]["aggregates"]["daily_sales"].update(sql="SELECT * FROM {fact_orders}"),
        "gold.aggregates.daily_sales.sql: {fact_orders} is not a table",
    ),
    "dimension attribute clashes with a generated column": (
        lambda d: d["gold"]["dimensions"]["customer"]["attributes"].append("is_current"),
        "gold.dimensions.customer.attributes",
    ),
    "dimension called date": (
        lambda d: d["gold"]["dimensions"].update(date={"source": "products"}),
        "gold.dimensions.date: dim_date is the date dimension",
    ),
    "wrong key width": (
        lambda d: sales(d)["dimensions"].update(customer=["customer_id", "product_id"]),
        "gold.facts.sales.dimensions.customer: dim_customer has a 1-column key",
    ),
}


def test_scd2_needs_a_time_sequence(tmp_path):
    def change(d: dict) -> None:
        d["sources"]["branches"]["columns"]["changed_at"] = "bigint"

    found = problems(tmp_path, LIBRARY, change)
    assert any("gold.dimensions.branch.scd: SCD2 validity comes from branches.changed_at" in p for p in found)


def test_composite_key_width(tmp_path):
    found = problems(
        tmp_path, LIBRARY, lambda d: d["gold"]["facts"]["loans"]["dimensions"].update(branch=["home_city"])
    )
    assert any("dim_branch has a 2-column key" in p for p in found), found


def returned_to(doc: dict) -> dict:
    return doc["gold"]["facts"]["loans"]["dimensions"]["returned_to"]


ROLE_CASES = {
    "role of an unknown dimension": (
        lambda d: returned_to(d).update(dimension="store"),
        "gold.facts.loans.dimensions.returned_to.dimension: no dimension 'store'; known: book, branch",
    ),
    "role with a missing column": (
        lambda d: returned_to(d).update(columns=["return_town", "return_branch"]),
        "gold.facts.loans.dimensions.returned_to: no column 'return_town'",
    ),
    "role with the wrong key width": (
        lambda d: returned_to(d).update(columns=["return_city"]),
        "gold.facts.loans.dimensions.returned_to: dim_branch has a 2-column key",
    ),
    "role column of another type": (
        lambda d: d["sources"]["loans"]["columns"].update(return_branch="int"),
        "gold.facts.loans.dimensions.returned_to: return_branch is int but dim_branch.branch_code is string",
    ),
    "role without columns": (
        lambda d: returned_to(d).pop("columns"),
        "gold.facts.loans.dimensions.returned_to: 'columns' is a required property",
    ),
    "role key clashes with a measure": (
        lambda d: d["gold"]["facts"]["loans"]["measures"].update(returned_to_key="1"),
        "gold.facts.loans.measures.returned_to_key: a measure cannot share its name",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES) + sorted(ROLE_CASES))
def test_mistakes_are_reported(tmp_path, case):
    """Retail mistakes on the retail spec; role-playing ones on the library's returned_to role."""
    base, (change, expected) = (RETAIL, CASES[case]) if case in CASES else (LIBRARY, ROLE_CASES[case])
    found = problems(tmp_path, base, change)
    assert any(expected in p for p in found), found
