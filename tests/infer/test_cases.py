"""Table-driven inference cases on small generated CSVs: false positives gone, true cases kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from medallion.infer import infer_spec
from medallion.infer.foreign_keys import name_affinity
from medallion.spec import Spec, load_spec
from tests.infer.cases import write_csv, write_tpch_like


@pytest.fixture(scope="module")
def tpch(tmp_path_factory: pytest.TempPathFactory) -> tuple[Spec, str]:
    folder = tmp_path_factory.mktemp("tpch")
    text = infer_spec([write_tpch_like(folder / "raw")])
    (folder / "medallion.yml").write_text(text)
    return load_spec(folder / "medallion.yml"), text


@pytest.mark.parametrize(
    ("column", "key", "target", "expected"),
    [
        ("l_orderkey", "o_orderkey", "orders", True),
        ("o_custkey", "c_custkey", "customer", True),
        ("n_regionkey", "r_regionkey", "region", True),
        ("customer_id", "customer_id", "customers", True),
        ("customer_id", "id", "customers", True),
        ("custkey", "customer_id", "customers", True),
        ("city", "city", "branches", True),
        ("l_linenumber", "n_nationkey", "nation", False),
        ("l_quantity", "p_partkey", "part", False),
        ("quantity", "id", "products", False),
        ("line_number", "order_id", "orders", False),
    ],
)
def test_name_affinity(column: str, key: str, target: str, expected: bool) -> None:
    assert name_affinity(column, key, target) is expected


@pytest.mark.parametrize(
    ("table", "expected"),
    [
        ("lineitem", {(("l_orderkey",), "orders"), (("l_partkey",), "part")}),
        ("orders", {(("o_custkey",), "customer")}),
        ("customer", {(("c_nationkey",), "nation")}),
        ("nation", {(("n_regionkey",), "region")}),
        ("region", set()),
        ("part", set()),
    ],
)
def test_references_need_name_affinity(tpch: tuple[Spec, str], table: str, expected: set) -> None:
    spec, _ = tpch
    assert {(r.columns, r.table) for r in spec.source(table).references} == expected


def test_weaker_reference_is_a_commented_suggestion(tmp_path: Path) -> None:
    write_csv(tmp_path, "planes", [{"tailnum": f"N{i:03}", "seats": 100 + i} for i in range(40)])
    flights = [{"flight_no": i, "tailnum": f"N{i % 47:03}", "dep_delay": i % 13} for i in range(200)]
    write_csv(tmp_path, "flights", flights)
    text = infer_spec([tmp_path])
    spec_path = tmp_path / "medallion.yml"
    spec_path.write_text(text)
    assert not load_spec(spec_path).source("flights").references
    line = next(x for x in text.splitlines() if "# - {columns: [tailnum], table: planes}" in x)
    assert "suggestion, only 86% match" in line and "orphans" in line
