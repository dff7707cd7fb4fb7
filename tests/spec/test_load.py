"""The spec loader: the retail spec loads; every kind of mistake fails before Spark starts,
naming the file, the key path and the fix."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from medallion.naming import expected_tables
from medallion.spec import SpecError, load_spec
from medallion.spec.model import Calendar


@pytest.fixture
def retail(default_project: Path) -> dict:
    """A fresh copy of the rendered retail spec, for each test to break."""
    return yaml.safe_load((default_project / "medallion.yml").read_text())


def _write(tmp_path: Path, document: dict) -> Path:
    path = tmp_path / "medallion.yml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def _problems(tmp_path: Path, document: dict) -> list[str]:
    with pytest.raises(SpecError) as caught:
        load_spec(_write(tmp_path, document))
    lines = str(caught.value).splitlines()
    assert all(line.startswith(str(tmp_path / "medallion.yml")) for line in lines)
    return lines


def test_retail_spec_loads(default_project: Path) -> None:
    spec = load_spec(default_project / "medallion.yml")
    assert spec.source_names == ("customers", "products", "orders")
    orders = spec.source("orders")
    assert orders.primary_key == ("order_id", "line_number")
    assert {r.action for r in orders.row_rules} == {"drop", "warn"}
    assert all(r.rule for r in orders.row_rules)
    assert "fact_sales" in expected_tables(spec) and "dim_date" in expected_tables(spec)


def test_unknown_key_names_the_key_and_allowed_keys(tmp_path: Path, retail: dict) -> None:
    retail["sources"]["orders"]["primery_key"] = ["order_id"]
    (problem,) = _problems(tmp_path, retail)
    assert "sources.orders: unknown key 'primery_key'" in problem
    assert "primary_key" in problem


def test_bad_type_name_says_what_is_allowed(tmp_path: Path, retail: dict) -> None:
    retail["sources"]["products"]["columns"]["list_price"] = "money"
    (problem,) = _problems(tmp_path, retail)
    assert "sources.products.columns.list_price: 'money' is not allowed" in problem
    assert "decimal(p,s)" in problem


def test_rule_on_missing_column_lists_the_columns(tmp_path: Path, retail: dict) -> None:
    retail["sources"]["orders"]["expectations"].append(
        {"name": "qty_positive", "rule": "qty > 0", "action": "drop"}
    )
    (problem,) = _problems(tmp_path, retail)
    assert (
        "sources.orders.expectations[6].rule: `qty > 0` (rule qty_positive) refers to unknown column(s) qty"
        in problem
    )
    assert "quantity" in problem


def test_unknown_expectation_set_lists_the_sets(tmp_path: Path, retail: dict) -> None:
    retail["sources"]["customers"]["expectations"].append({"use": "is_awesome", "action": "warn"})
    (problem,) = _problems(tmp_path, retail)
    assert "sources.customers.expectations[5].use: 'is_awesome' is not allowed" in problem
    assert "not_null" in problem and "accepted_values" in problem


def test_set_missing_parameter_names_it(tmp_path: Path, retail: dict) -> None:
    retail["sources"]["customers"]["expectations"].append(
        {"use": "accepted_values", "column": "segment", "action": "warn"}
    )
    (problem,) = _problems(tmp_path, retail)
    assert "sources.customers.expectations[5].values" in problem and "needs `values`" in problem


def test_bad_sql_is_reported_not_raised(tmp_path: Path, retail: dict) -> None:
    retail["sources"]["orders"]["expectations"].append(
        {"name": "broken", "rule": "quantity >", "action": "warn"}
    )
    (problem,) = _problems(tmp_path, retail)
    assert "expectations[6].rule: `quantity >` (rule broken) is not a valid SQL expression" in problem


def test_gold_fact_with_unknown_dimension(tmp_path: Path, retail: dict) -> None:
    retail["gold"]["facts"]["sales"]["dimensions"]["store"] = ["store_id"]
    problems = _problems(tmp_path, retail)
    assert any("gold.facts.sales.dimensions.store: no dimension 'store'" in p for p in problems)


def test_invalid_yaml_gives_line(tmp_path: Path) -> None:
    path = tmp_path / "medallion.yml"
    path.write_text("version: 1\nsources:\n  orders: [unclosed\n")
    with pytest.raises(SpecError, match=r"not valid YAML at line \d+"):
        load_spec(path)


def test_all_problems_are_listed_at_once(tmp_path: Path, retail: dict) -> None:
    retail["sources"]["orders"]["bogus"] = 1
    retail["sources"]["customers"]["columns"]["email"] = "strin"
    assert len(_problems(tmp_path, retail)) == 2


def test_calendar_takes_yaml_dates_or_text(tmp_path: Path, retail: dict) -> None:
    retail["gold"]["calendar"] = {"from": "2021-01-01", "to": date(2030, 12, 31)}
    spec = load_spec(_write(tmp_path, retail))
    assert spec.gold.calendar == Calendar(date(2021, 1, 1), date(2030, 12, 31))


@pytest.mark.parametrize(
    ("calendar", "expected"),
    [
        ({"from": "2021-13-01", "to": "2030-01-01"}, "from: '2021-13-01' is not a date: write YYYY-MM-DD"),
        ({"from": "2021-01-01", "to": "2030-01-01 10:00"}, "calendar.to: '2030-01-01 10:00' is not"),
        ({"from": "2030-01-01", "to": "2021-01-01"}, "calendar: from 2030-01-01 is after to 2021-01-01"),
        ({"from": "2021-01-01"}, "gold.calendar"),
        ({"from": "2021-01-01", "to": "2030-01-01", "step": 1}, "unknown key 'step'"),
    ],
)
def test_bad_calendar_names_the_key_and_the_fix(
    tmp_path: Path, retail: dict, calendar: dict, expected: str
) -> None:
    retail["gold"]["calendar"] = calendar
    problems = _problems(tmp_path, retail)
    assert any(expected in p for p in problems), problems


def test_a_derived_column_loads_and_rules_and_gold_may_use_it(tmp_path: Path, retail: dict) -> None:
    columns = retail["sources"]["orders"]["columns"]
    columns["order_date"] = {"type": "date", "expr": "CAST(order_ts AS DATE)"}
    retail["sources"]["orders"]["expectations"].append(
        {"use": "not_null", "column": "order_date", "action": "warn"}
    )
    retail["gold"]["facts"]["sales"]["attributes"] = ["status", "order_date"]
    spec = load_spec(_write(tmp_path, retail))
    orders = spec.source("orders")
    assert [c.name for c in orders.derived_columns] == ["order_date"]
    assert "order_date" not in orders.raw_column_names and "order_date" in orders.column_names


@pytest.mark.parametrize(
    ("expr", "found"),
    [
        ("CAST(ordered_on AS DATE)", "ordered_on"),  # no such column
        ("order_date + 1", "order_date"),  # another derived column: only source columns are in scope
        ("count(order_id)", "aggregate count()"),
    ],
)
def test_a_bad_derived_column_is_named_with_its_key(
    tmp_path: Path, retail: dict, expr: str, found: str
) -> None:
    columns = retail["sources"]["orders"]["columns"]
    columns["order_date"] = {"type": "date", "expr": "CAST(order_ts AS DATE)"}
    columns["next_day"] = {"type": "date", "expr": expr}
    problems = _problems(tmp_path, retail)
    assert any("sources.orders.columns.next_day.expr" in p and found in p for p in problems), problems
