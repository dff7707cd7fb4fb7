"""A second domain (a library network) in CSV and Parquet: keys not named *_id, a composite key."""

from __future__ import annotations

import pytest

from medallion.spec import Spec, load_spec
from medallion.tooling.inference import infer_spec
from tests.infer.library_fixture import write_library


@pytest.fixture(scope="module", params=["csv", "parquet"])
def spec(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Spec:
    folder = tmp_path_factory.mktemp(f"library_{request.param}")
    out = folder / "medallion.yml"
    out.write_text(infer_spec([write_library(folder / "raw", request.param)]))
    return load_spec(out)


def test_keys(spec: Spec) -> None:
    keys = {s.name: (s.primary_key, s.sequence_by) for s in spec.sources}
    assert keys == {
        "books": (("isbn",), None),
        "branches": (("city", "branch_code"), None),
        "members": (("card_number",), "changed_at"),
        "loans": (("loan_no",), None),
    }


def test_references_include_a_composite_key(spec: Spec) -> None:
    references = {(r.columns, r.table) for r in spec.source("loans").references}
    assert references == {
        (("isbn",), "books"),
        (("city", "branch_code"), "branches"),
        (("return_city", "return_branch_code"), "branches"),
        (("card_number",), "members"),
    }


def test_star(spec: Spec) -> None:
    assert {d.name: d.scd for d in spec.gold.dimensions} == {"book": 1, "branch": 1, "member": 2}
    (fact,) = spec.gold.facts
    assert (fact.name, fact.grain, fact.event_time) == ("loans", ("loan_no",), "loaned_at")
    branches = {link.role: link.foreign_key for link in fact.links if link.dimension == "branch"}
    assert branches == {
        "branch": ("city", "branch_code"),
        "return_branch": ("return_city", "return_branch_code"),
    }
    assert {m.name for m in fact.measures} == {"renewals", "late_fee"}


def test_money_types(spec: Spec) -> None:
    assert spec.source("loans").column("late_fee").type.startswith("decimal(")
    assert spec.source("books").column("replacement_cost").type.startswith("decimal(")


def test_format(spec: Spec) -> None:
    source = spec.source("loans").source
    assert source.format in ("csv", "parquet")
    assert source.options == {}
