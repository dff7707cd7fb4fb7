"""Inference on dirty retail files reproduces the hand-written retail spec's keys, references and star."""

from __future__ import annotations

from pathlib import Path

import pytest

from medallion.infer import infer_spec
from medallion.spec import Spec, load_spec
from tests.infer.retail_fixture import write_retail


@pytest.fixture(scope="module")
def spec(tmp_path_factory: pytest.TempPathFactory) -> Spec:
    folder = tmp_path_factory.mktemp("retail")
    out = folder / "medallion.yml"
    out.write_text(infer_spec([write_retail(folder / "raw")]))
    return load_spec(out)


def test_primary_keys_and_sequence(spec: Spec) -> None:
    keys = {s.name: (s.primary_key, s.sequence_by) for s in spec.sources}
    assert keys == {
        "customers": (("customer_id",), "updated_at"),
        "products": (("product_id",), "updated_at"),
        "orders": (("order_id", "line_number"), "updated_at"),
    }


def test_foreign_keys_by_containment(spec: Spec) -> None:
    references = {(r.columns, r.table) for r in spec.source("orders").references}
    assert references == {(("customer_id",), "customers"), (("product_id",), "products")}
    assert not spec.source("customers").references and not spec.source("products").references


def test_types_money_and_dirty_columns(spec: Spec) -> None:
    orders = spec.source("orders")
    assert orders.column("unit_price").type == "decimal(12,2)"
    assert orders.column("quantity").type == "int"
    assert orders.column("line_number").type == "int"
    assert orders.column("order_ts").type == "timestamp"
    assert orders.column("status").case == "lower"
    assert spec.source("products").column("list_price").type == "decimal(12,2)"
    assert spec.source("customers").column("email").case == "lower"


def test_rules(spec: Spec) -> None:
    orders = {(e.name, e.action) for e in spec.source("orders").expectations}
    required = {f"not_null_{c}" for c in ("order_id", "line_number", "updated_at")}
    assert {(name, "drop") for name in required} <= orders
    assert {("unique_order_id_line_number", "warn"), ("accepted_status", "warn"), ("range_quantity", "warn"),
            ("non_negative_unit_price", "warn"), ("not_in_future_order_ts", "warn")} <= orders
    accepted = next(e for e in spec.source("orders").expectations if e.name == "accepted_status")
    assert accepted.params["values"] == ["cancelled", "delivered", "placed", "returned", "shipped"]
    assert "valid_email_email" in {e.name for e in spec.source("customers").expectations}


def test_star_roles(spec: Spec) -> None:
    dimensions = {d.name: (d.source, d.scd) for d in spec.gold.dimensions}
    assert dimensions == {"customer": ("customers", 2), "product": ("products", 1)}
    (fact,) = spec.gold.facts
    assert (fact.source, fact.grain, fact.event_time) == ("orders", ("order_id", "line_number"), "order_ts")
    assert fact.dimensions == {"customer": ("customer_id",), "product": ("product_id",)}
    measures = {m.name: m.expr for m in fact.measures}
    assert measures["amount"] == "quantity * unit_price"
    assert {"quantity", "unit_price", "discount"} <= set(measures)


def test_evidence_comments(tmp_path: Path) -> None:
    text = infer_spec([write_retail(tmp_path)])
    assert text.startswith("# yaml-language-server: $schema=./src/medallion/spec/medallion.schema.json\n")
    assert "line_number: int  # 1 of " in text and "try_cast makes them NULL" in text
    assert "# 0 nulls in " in text
    assert "orphans" in text
