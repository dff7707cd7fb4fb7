"""Reusable expectation sets, expanded from the spec's `use:` entries into named rules.

Each set declares its parameters here once (their JSON Schema, which of them are required) and
the check of their values against the column's type: the loader checks entries from here, and
medallion.tooling.spec_schema writes the spec schema's `use` and parameter keys from here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, replace
from typing import Any

from medallion.spec import params
from medallion.spec.model import IDENTIFIER, IDENTIFIER_LIST, Expectation
from medallion.sql import literal, quote_identifier

EMAIL_PATTERN = r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}$"
TABLE_CHECKS = frozenset({"unique", "freshness"})


class ExpectationParamError(ValueError):
    """A `use:` entry lacks a parameter or has one it does not take."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__(message)
        self.key = key


# The parameters' value schemas (JSON Schema), shared by the sets that take them.
COLUMN = IDENTIFIER
COLUMNS = IDENTIFIER_LIST
VALUES = {"type": "array", "minItems": 1, "items": {"type": ["string", "number", "boolean"]}}
BOUND = {"type": ["number", "string"]}
PATTERN = {"type": "string"}
MAX_AGE = {
    "type": "string",
    "pattern": r"^\d+\s+(second|minute|hour|day)s?$",
    "description": "Freshness: e.g. '2 days'.",
}


@dataclass(frozen=True)
class ExpectationSet:
    """One reusable set: its parameters, how it expands into rules, and the check of its values."""

    parameters: dict[str, dict[str, Any]]
    """Parameter -> the JSON Schema of its value."""
    required: tuple[str, ...]
    """Parameters an entry must give; `column|columns`: one of them."""
    expand: Callable[[dict[str, Any], str], list[Expectation]]
    summary: str
    check: params.Check | None = None

    @property
    def optional(self) -> tuple[str, ...]:
        named = {option for requirement in self.required for option in requirement.split("|")}
        return tuple(p for p in self.parameters if p not in named)


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
        {"column": COLUMN, "columns": COLUMNS},
        ("column|columns",),
        _per_column("not_null", lambda c, p: f"{c} IS NOT NULL"),
        "the column has a value",
    ),
    "accepted_values": ExpectationSet(
        {"column": COLUMN, "values": VALUES},
        ("column", "values"),
        _per_column("accepted", lambda c, p: f"{c} IN ({', '.join(literal(v) for v in p['values'])})"),
        "the value is one of a fixed list",
        params.accepted_values_problems,
    ),
    "range": ExpectationSet(
        {"column": COLUMN, "min": BOUND, "max": BOUND},
        ("column",),
        _per_column("range", _range),
        "min <= value <= max",
        params.range_problems,
    ),
    "regex": ExpectationSet(
        {"column": COLUMN, "pattern": PATTERN},
        ("column", "pattern"),
        _per_column("regex", lambda c, p: f"{c} RLIKE {literal(p['pattern'])}"),
        "the value matches a regular expression",
        params.regex_problems,
    ),
    "email": ExpectationSet(
        {"column": COLUMN},
        ("column",),
        _per_column("valid_email", lambda c, p: f"{c} RLIKE {literal(EMAIL_PATTERN)}"),
        "the value looks like an e-mail address",
    ),
    "non_negative": ExpectationSet(
        {"column": COLUMN, "columns": COLUMNS},
        ("column|columns",),
        _per_column("non_negative", lambda c, p: f"{c} >= 0"),
        "the amount is zero or more",
        params.numeric_problems("non_negative"),
    ),
    "not_in_future": ExpectationSet(
        {"column": COLUMN},
        ("column",),
        _per_column("not_in_future", lambda c, p: f"{c} <= current_timestamp()"),
        "the date or time is not after now",
        params.temporal_problems("not_in_future"),
    ),
    "unique": ExpectationSet(
        {"column": COLUMN, "columns": COLUMNS},
        (),
        _table_check("unique"),
        "no two current rows share the key",
    ),
    "freshness": ExpectationSet(
        {"column": COLUMN, "max_age": MAX_AGE},
        ("column", "max_age"),
        _table_check("freshness"),
        "the newest row is recent",
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
    allowed = {"name", *spec.parameters}
    for requirement in spec.required:
        options = requirement.split("|")
        if not any(o in params for o in options):
            raise ExpectationParamError(
                requirement, f"`{use}` needs `{' or '.join(options)}` ({spec.summary})"
            )
    unexpected = sorted(set(params) - allowed)
    if unexpected:
        raise ExpectationParamError(
            unexpected[0],
            f"`{use}` does not take `{unexpected[0]}`; it takes: {', '.join(sorted(allowed))}",
        )
    return [replace(e, use=use) for e in spec.expand(params, action)]  # the set's name, not its rule prefix


def referenced_columns(entry: Mapping[str, Any]) -> list[str]:
    """Columns a `use:` entry names directly (checked against the table's columns)."""
    return [c for c in ([entry["column"]] if "column" in entry else []) + list(entry.get("columns", []))]


def entry_problems(entry: Mapping[str, Any], types: Mapping[str, str]) -> Iterator[params.Problem]:
    """Problems of one `use:` entry's values against its columns' types (when known), by its set's check."""
    expectation_set = EXPECTATION_SETS.get(entry.get("use", ""))
    if expectation_set is None or expectation_set.check is None:
        return
    for column in referenced_columns(entry):
        spark_type = types.get(column)
        if spark_type:
            yield from expectation_set.check(entry, column, spark_type)
