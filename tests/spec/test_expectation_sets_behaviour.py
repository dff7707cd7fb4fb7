"""Each reusable expectation set, expanded and compiled as the pipeline does, judges rows with
known answers on Spark (tier `spark`). NULL always counts as a failure."""

from __future__ import annotations

from typing import Any

import pytest

from medallion import rules
from medallion.expectations import EXPECTATION_SETS, TABLE_CHECKS, expand

# set entry -> (column type, [(value, passes)])
CASES: dict[str, tuple[dict[str, Any], str, list[tuple[Any, bool]]]] = {
    "not_null": ({"column": "v"}, "INT", [(None, False), (0, True), (7, True)]),
    "accepted_values": (
        {"column": "v", "values": ["a', 'b", "c"]},
        "STRING",
        [("a', 'b", True), ("a", False), ("b", False), ("c", True), ("C", False), (None, False)],
    ),
    "range": (
        {"column": "v", "min": 1, "max": 5},
        "INT",
        [(None, False), (0, False), (1, True), (5, True), (6, False)],
    ),
    "regex": (
        {"column": "v", "pattern": "^[0-9]+$"},
        "STRING",
        [("123", True), ("12a", False), ("", False), (None, False)],
    ),
    "email": (
        {"column": "v"},
        "STRING",
        [("ann@example.com", True), ("ann@example", False), ("@example.com", False), (None, False)],
    ),
    "non_negative": (
        {"column": "v"},
        "DECIMAL(10,2)",
        [("-0.01", False), ("0", True), ("3.5", True), (None, False)],
    ),
    "not_in_future": (
        {"column": "v"},
        "TIMESTAMP",
        [("2020-01-01 00:00:00", True), ("2999-01-01 00:00:00", False), (None, False)],
    ),
}


def test_every_row_rule_set_has_a_case() -> None:
    assert set(CASES) == set(EXPECTATION_SETS) - TABLE_CHECKS


@pytest.mark.parametrize("use", sorted(CASES))
def test_set_judges_rows(spark: Any, use: str) -> None:
    params, column_type, cases = CASES[use]
    (rule,) = expand({"use": use, "action": "drop", **params})
    values = ", ".join(f"(CAST({_sql(v)} AS {column_type}), {str(ok).lower()})" for v, ok in cases)
    rows = spark.sql(f"SELECT * FROM VALUES {values} AS t(v, expected)")
    judged = rows.selectExpr("v", "expected", f"{rules.compile_rule(rule.rule or '')} AS passed").collect()
    assert all(r["passed"] is not None for r in judged), "a compiled rule is never NULL"
    wrong = [(r["v"], r["expected"]) for r in judged if r["passed"] != r["expected"]]
    assert not wrong, f"{use}: misjudged {wrong}"


def test_table_checks_have_no_row_predicate() -> None:
    for use in sorted(TABLE_CHECKS):
        params = {"column": "v", "max_age": "1 day"} if use == "freshness" else {"column": "v"}
        (check,) = expand({"use": use, "action": "warn", **params})
        assert check.rule is None and not check.is_row_rule, use


def test_no_rules_keep_every_row(spark: Any) -> None:
    rows = spark.sql("SELECT * FROM VALUES (1), (NULL) AS t(v)")
    assert rows.where(rules.all_pass(())).count() == 2
    assert rows.where(rules.any_fails(())).count() == 0
    assert rows.where(rules.fail_guard((), "silver_t_history")).count() == 2
    assert rows.selectExpr(f"{rules.errors_array(())} AS e").collect()[0]["e"] == []


def _sql(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"
    return str(value)
