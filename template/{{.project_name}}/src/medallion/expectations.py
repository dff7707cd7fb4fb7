"""Reusable expectation sets, expanded from the spec's `use:` entries into named rules."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from medallion.spec.model import Expectation
from medallion.sql import literal, quote_identifier

EMAIL_PATTERN = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"
TABLE_CHECKS = frozenset({"unique", "freshness"})


class ExpectationParamError(ValueError):
    """A `use:` entry lacks a parameter or has one it does not take."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


@dataclass(frozen=True)
class ExpectationSet:
    """One reusable set: its parameters and how it expands into rules."""

    required: tuple[str, ...]
    optional: tuple[str, ...]
    expand: Callable[[dict[str, Any], str], list[Expectation]]
    summary: str


def _columns(params: dict[str, Any]) -> list[str]:
    if "columns" in params:
        return list(params["columns"])
    return [params["column"]]


def _per_column(prefix: str, predicate: Callable[[str, dict[str, Any]], str]):
    def expand(params: dict[str, Any], action: str) -> list[Expectation]:
        rules = []
        for column in _columns(params):
            name = params.get("name") or f"{prefix}_{column}"
            if "name" in params and len(_columns(params)) > 1:
                name = f"{params['name']}_{column}"
            rule = predicate(quote_identifier(column), params)
            rules.append(Expectation(name, action, rule, prefix, dict(params)))  # type: ignore[arg-type]
        return rules

    return expand


def _range(column: str, params: dict[str, Any]) -> str:
    bounds = []
    if "min" in params:
        bounds.append(f"{column} >= {literal(params['min'])}")
    if "max" in params:
        bounds.append(f"{column} <= {literal(params['max'])}")
    if not bounds:
        raise ExpectationParamError("min", "range needs `min`, `max` or both")
    return " AND ".join(bounds)


def _table_check(use: str):
    def expand(params: dict[str, Any], action: str) -> list[Expectation]:
        if action == "drop":
            raise ExpectationParamError(
                "action", f"`{use}` is a table check: use action warn or fail, not drop"
            )
        columns = _columns(params) if ("columns" in params or "column" in params) else []
        name = params.get("name") or "_".join([use, *columns]) or use
        return [Expectation(name, action, None, use, dict(params))]  # type: ignore[arg-type]

    return expand


EXPECTATION_SETS: dict[str, ExpectationSet] = {
    "not_null": ExpectationSet(
        ("column|columns",),
        (),
        _per_column("not_null", lambda c, p: f"{c} IS NOT NULL"),
        "the column has a value",
    ),
    "accepted_values": ExpectationSet(
        ("column", "values"),
        (),
        _per_column("accepted", lambda c, p: f"{c} IN ({', '.join(literal(v) for v in p['values'])})"),
        "the value is one of a fixed list",
    ),
    "range": ExpectationSet(("column",), ("min", "max"), _per_column("range", _range), "min <= value <= max"),
    "regex": ExpectationSet(
        ("column", "pattern"),
        (),
        _per_column("regex", lambda c, p: f"{c} RLIKE {literal(p['pattern'])}"),
        "the value matches a regular expression",
    ),
    "email": ExpectationSet(
        ("column",),
        (),
        _per_column("valid_email", lambda c, p: f"{c} RLIKE {literal(EMAIL_PATTERN)}"),
        "the value looks like an e-mail address",
    ),
    "non_negative": ExpectationSet(
        ("column|columns",),
        (),
        _per_column("non_negative", lambda c, p: f"{c} >= 0"),
        "the amount is zero or more",
    ),
    "not_in_future": ExpectationSet(
        ("column",),
        (),
        _per_column("not_in_future", lambda c, p: f"{c} <= current_timestamp()"),
        "the date or time is not after now",
    ),
    "unique": ExpectationSet(
        (), ("column", "columns"), _table_check("unique"), "no two current rows share the key"
    ),
    "freshness": ExpectationSet(
        ("column", "max_age"), (), _table_check("freshness"), "the newest row is recent"
    ),
}


def expand(entry: dict[str, Any]) -> list[Expectation]:
    """Expand one spec entry (`name`+`rule`, or `use`+parameters) into expectations."""
    action = entry["action"]
    if "rule" in entry:
        return [Expectation(entry["name"], action, entry["rule"])]
    use = entry["use"]
    spec = EXPECTATION_SETS[use]
    params = {k: v for k, v in entry.items() if k not in {"use", "action"}}
    allowed = {"name"} | set(spec.optional)
    for requirement in spec.required:
        options = requirement.split("|")
        if not any(o in params for o in options):
            raise ExpectationParamError(
                requirement, f"`{use}` needs `{' or '.join(options)}` ({spec.summary})"
            )
        allowed |= set(options)
    unexpected = sorted(set(params) - allowed)
    if unexpected:
        raise ExpectationParamError(
            unexpected[0],
            f"`{use}` does not take `{unexpected[0]}`; it takes: {', '.join(sorted(allowed))}",
        )
    return [replace(e, use=use) for e in spec.expand(params, action)]  # the set's name, not its rule prefix


def referenced_columns(entry: dict[str, Any]) -> list[str]:
    """Columns a `use:` entry names directly (checked against the table's columns)."""
    return [c for c in ([entry["column"]] if "column" in entry else []) + list(entry.get("columns", []))]
