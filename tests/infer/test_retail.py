"""Inference on the dirty retail sample reproduces the hand-written retail spec: keys, references, star."""

from __future__ import annotations

from pathlib import Path

import pytest

from medallion.retail_sample import FORMATS, write_sample
from medallion.spec import Spec, load_spec
from medallion.tooling.inference import infer_spec


@pytest.fixture(scope="module", params=FORMATS)
def spec(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Spec:
    folder = tmp_path_factory.mktemp(f"retail_{request.param}")
    write_sample(folder / "raw", request.param)
    out = folder / "medallion.yml"
    out.write_text(infer_spec([folder / "raw"]))
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
    assert orders.column("quantity").type == "int"  # one 'two' among integers
    assert orders.column("line_number").type == "int"
    assert orders.column("order_ts").type == "timestamp"  # one '31/02/2024'
    assert spec.source("products").column("list_price").type == "decimal(12,2)"  # one '12,99'
    assert spec.source("customers").column("email").case == "lower"
    assert spec.source("customers").column("country").case == "upper"  # 'es' among upper-case codes


def test_rules(spec: Spec) -> None:
    orders = {(e.name, e.action) for e in spec.source("orders").expectations}
    required = {f"not_null_{c}" for c in ("order_id", "line_number", "updated_at")}
    assert {(name, "drop") for name in required} <= orders
    assert {
        ("unique_order_id_line_number", "warn"),
        ("accepted_status", "warn"),
        ("range_quantity", "warn"),
        ("non_negative_unit_price", "warn"),
        ("not_in_future_order_ts", "warn"),
    } <= orders
    segments = next(e for e in spec.source("customers").expectations if e.name == "accepted_segment")
    assert segments.params["values"] == ["consumer", "corporate", "small_business"]  # 'Enterprise' is rare
    assert "valid_email_email" in {e.name for e in spec.source("customers").expectations}


def test_star_roles(spec: Spec) -> None:
    dimensions = {d.name: d.source for d in spec.gold.dimensions}
    assert dimensions == {"customer": "customers", "product": "products"}
    assert next(d for d in spec.gold.dimensions if d.name == "customer").scd == 2
    (fact,) = spec.gold.facts
    assert (fact.source, fact.grain, fact.event_time) == ("orders", ("order_id", "line_number"), "order_ts")
    links = {(link.role, link.dimension, link.foreign_key) for link in fact.links}
    assert links == {("customer", "customer", ("customer_id",)), ("product", "product", ("product_id",))}
    measures = {m.name: m.expr for m in fact.measures}
    assert measures["amount"] == "quantity * unit_price"
    assert {"quantity", "unit_price", "discount"} <= set(measures)


def test_evidence_comments(tmp_path: Path) -> None:
    write_sample(tmp_path, "csv")
    text = infer_spec([tmp_path])
    assert text.startswith("# yaml-language-server: $schema=./src/medallion/spec/medallion.schema.json\n")
    assert "quantity: int  # 1 of " in text and "(e.g. 'two'): try_cast makes them NULL" in text
    assert "# 0 nulls in " in text and "orphans" in text
    assert "manifest" not in text
