"""The one rule compiler: spec rules -> SQL predicates shared by both engines.

Every rule becomes `coalesce((rule), false)`, so a NULL (for example a value that failed to
cast) counts as a failure everywhere. "Now" is one instant per update: history and quarantine
are separate flows, and each would otherwise read its own clock (a row stamped between the
two would land in neither); `fix_clock` sets it when the pipeline is defined.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from medallion.spec.model import Expectation
from medallion.sql import expand_safe_divide, literal, outside_literals

_NOW = re.compile(
    r"\b(current_timestamp|now|localtimestamp|current_date|curdate)\b(\s*\(\s*\))?", re.IGNORECASE
)
_clock: list[int] = []
"""The update's instant in microseconds since the epoch (empty until fix_clock)."""


def fix_clock(epoch_micros: int) -> None:
    """Every rule compiled from now on reads this instant as "now" (one per update)."""
    _clock[:] = [epoch_micros]


def _fixed_now(match: re.Match[str]) -> str:
    instant = f"timestamp_micros({_clock[0]})"
    return f"to_date({instant})" if match.group(1).lower() in ("current_date", "curdate") else instant


def compile_rule(rule: str) -> str:
    """One predicate that is TRUE when the row passes and FALSE otherwise (never NULL)."""
    text = expand_safe_divide(rule)
    if _clock:
        text = outside_literals(text, _NOW, _fixed_now)
    return f"coalesce(({text}), false)"


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
