"""The one rule compiler: spec rules -> SQL predicates shared by both engines.

Every rule becomes `coalesce((rule), false)`, so a NULL (for example a value that failed to
cast) counts as a failure everywhere.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from medallion.spec.model import Expectation
from medallion.sql import literal

ERRORS_COLUMN = "_errors"
# safe_divide(a, b) -> try_divide(a, b), as in measures and aggregates (medallion.gold.ratios)
_SAFE_DIVIDE = re.compile(r"\bsafe_divide\s*\(", re.IGNORECASE)


def compile_rule(rule: str) -> str:
    """One predicate that is TRUE when the row passes and FALSE otherwise (never NULL)."""
    return f"coalesce(({_SAFE_DIVIDE.sub('try_divide(', rule)}), false)"


def compiled(expectations: Iterable[Expectation]) -> dict[str, str]:
    """Rule name -> compiled predicate, for row rules only (the dp.expect_all* argument)."""
    return {e.name: compile_rule(e.rule) for e in expectations if e.rule is not None}


def all_pass(expectations: Iterable[Expectation]) -> str:
    """A predicate true when every row rule passes (TRUE when there are none)."""
    predicates = list(compiled(expectations).values())
    return " AND ".join(f"({p})" for p in predicates) if predicates else "true"


def any_fails(expectations: Iterable[Expectation]) -> str:
    """NOT(all rules pass): the quarantine filter for drop rules."""
    return f"NOT ({all_pass(expectations)})"


def errors_array(expectations: Iterable[Expectation]) -> str:
    """ARRAY<STRING> of the names of the row rules this row fails (empty when it passes)."""
    items = [f"IF({p}, NULL, {literal(name)})" for name, p in compiled(expectations).items()]
    if not items:
        return "CAST(array() AS ARRAY<STRING>)"
    return f"filter(array({', '.join(items)}), x -> x IS NOT NULL)"


def fail_guard(expectations: Iterable[Expectation], table: str) -> str:
    """A predicate that is TRUE when every `fail` rule passes and raises an error otherwise.

    Used as a filter on the local engine, where there is no expect_all_or_fail.
    """
    rules = [e for e in expectations if e.rule is not None]
    if not rules:
        return "true"
    message = literal(f"fail rule violated in {table}: ")
    return (
        f"CASE WHEN {all_pass(rules)} THEN true "
        f"ELSE raise_error(concat({message}, array_join({errors_array(rules)}, ', '))) END"
    )
