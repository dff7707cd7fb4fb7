"""Star-schema roles: referenced tables become dimensions, tables with references and measures facts."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import combinations
from typing import Any

from medallion.tooling.inference.foreign_keys import ForeignKey, core_name, role_word, stem_name
from medallion.tooling.inference.measure_meaning import additive_evidence, not_additive
from medallion.tooling.inference.primary_keys import KeyCandidate
from medallion.tooling.inference.profile import ColumnProfile, TableProfile

QUANTITY_NAME = re.compile(r"(^|_)(quantity|qty|units|count)($|_)")
PRICE_NAME = re.compile(r"price")
EXTENDED_NAME = re.compile(r"(extended|ext_|total|amount|revenue)|(^|_)(net|gross|sum|value)($|_)")
"""A price already multiplied out (extendedprice, total, line_amount): a measure as it is."""
ATTRIBUTE_MAX_VALUES = 20
CLOCK_MIN_VALUES = 30
"""Values needed before a column of whole numbers 0-2400 with minutes below 60 counts as hhmm."""
YEARS = (1800, 2100)


@dataclass(frozen=True)
class Role:
    """A proposed gold table: its spec body and why it was proposed."""

    name: str
    body: dict[str, Any]
    reason: str
    notes: dict[str, str] = field(default_factory=dict)
    """Comments for single keys of the body (e.g. a measure's origin)."""


@dataclass(frozen=True)
class Star:
    """The proposed dimensions and facts."""

    dimensions: tuple[Role, ...]
    facts: tuple[Role, ...]


def propose_star(
    tables: dict[str, TableProfile], keys: dict[str, KeyCandidate | None], references: list[ForeignKey]
) -> Star:
    """Dimensions for referenced tables, facts for tables with references and measures."""
    keyed = {name: key for name, key in keys.items() if key is not None}
    referenced = sorted({fk.target for fk in references} & set(keyed))
    dimensions = {name: _dimension(tables[name], keyed[name]) for name in referenced}
    facts = []
    for name, key in keyed.items():
        outgoing = [fk for fk in references if fk.table == name and fk.target in dimensions]
        if name in dimensions and not _event_times(tables[name], key) and len(outgoing) < 2:
            continue  # a referenced table without an event grain or links of its own is a dimension only
        fact = _fact(tables[name], key, outgoing, dimensions) if outgoing else None
        if fact:
            facts.append(fact)
    return Star(tuple(dimensions.values()), tuple(facts))


def singular(name: str) -> str:
    """customers -> customer, branches -> branch, categories -> category."""
    for suffix, replacement in (("ies", "y"), ("ches", "ch"), ("shes", "sh"), ("sses", "ss"), ("xes", "x")):
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)] + replacement
    return name[:-1] if name.endswith("s") and not name.endswith("ss") and len(name) > 2 else name


def _dimension(table: TableProfile, key: KeyCandidate) -> Role:
    attributes = [c.name for c in table.columns if c.name not in key.columns and c.name != key.sequence_by]
    scd = 2 if key.versioned_keys and key.sequence_by else 1
    body: dict[str, Any] = {"source": table.name}
    if attributes:
        body["attributes"] = attributes
    body["scd"] = scd
    why = (
        f"SCD2: {key.versioned_keys:,} keys change over {key.sequence_by}"
        if scd == 2
        else "SCD1: no key has several versions in the sample"
    )
    return Role(dimension_name(table), body, f"referenced by other tables; {why}")


def dimension_name(table: TableProfile) -> str:
    """The table's name in the singular, unless `<name>_key` (the surrogate key gold generates)
    is already one of its columns (parks with `park_key`): then the table's own name."""
    columns = set(table.sample.columns)
    for name in (singular(table.name), table.name, f"{table.name}_dim"):
        if f"{name}_key" not in columns:
            return name
    return f"{table.name}_dimension"


def _fact(
    table: TableProfile, key: KeyCandidate, outgoing: list[ForeignKey], dimensions: dict[str, Role]
) -> Role | None:
    linked = {c for fk in outgoing for c in fk.columns}
    skip = linked | set(key.columns) | {key.sequence_by}
    numeric = [c for c in table.columns if c.is_numeric and c.name not in skip and not not_a_measure(c)]
    notes: dict[str, str] = {}
    repeated = {c.name: part for c in numeric if (part := repeated_over(table, key.columns, c.name))}
    numeric = [c for c in numeric if c.name not in repeated]
    if not numeric:
        return None
    measures: dict[str, Any] = {}
    for column in numeric:
        measures[column.name] = (
            column.name
            if column.type.startswith("decimal")
            else {
                "expr": column.name,
                "type": "decimal(18,0)" if column.type in ("int", "bigint") else "double",
            }
        )
        notes[column.name] = additive_evidence(column.name)
    amount = _amount(numeric_names=[c.name for c in numeric], taken=set(table.sample.columns))
    if amount:
        measures[amount[0]] = amount[1]
        notes[amount[0]] = "quantity x price: subtract discounts or taxes here if they apply"
    times = _event_times(table, key)
    event_time = times[0] if times else key.sequence_by
    body: dict[str, Any] = {"source": table.name, "grain": list(key.columns)}
    if event_time:
        body["event_time"] = event_time
    body["dimensions"] = _links(outgoing, dimensions, notes, set(table.sample.columns))
    body["measures"] = measures
    attributes = [
        c.name
        for c in table.columns
        if c.type == "string" and c.name not in skip and 1 < c.distinct <= ATTRIBUTE_MAX_VALUES
    ]
    if attributes:
        body["attributes"] = attributes
    reason = (
        f"references {', '.join(sorted({fk.target for fk in outgoing}))} and has numeric measures; "
        f"grain = the primary key; event_time = {event_time or 'none'}"
    )
    for name, part in repeated.items():
        reason += f"; {name} is no measure: one value per {', '.join(part)}, repeated on each row"
    return Role(table.name, body, reason, notes)


REPEATED_MIN_DISTINCT = 5
"""A column needs this many distinct values before a repetition of it says anything."""


def repeated_over(table: TableProfile, grain: tuple[str, ...], column: str) -> tuple[str, ...] | None:
    """The part of the grain a numeric column repeats over, if any: the same value on every row of
    each group (halloffame's ballots per year and voting body, repeated for each candidate). Its
    sum counts one group's figure once per row: not an additive measure."""
    frame = table.frame[[*grain, column]].dropna()
    if len(grain) < 2 or frame[column].nunique() < REPEATED_MIN_DISTINCT:
        return None
    for size in range(1, len(grain)):
        for part in combinations(grain, size):
            groups = frame.groupby(list(part), sort=False)[column]
            if groups.ngroups * 2 <= len(frame) and bool((groups.nunique() <= 1).all()):
                return part
    return None


def not_a_measure(column: ColumnProfile) -> str | None:
    """Why a numeric column is no measure: its name (an identifier, calendar part, ordinal,
    coordinate or level), or its values (a clock time written as hhmm, a year)."""
    reason = not_additive(column.name)
    if reason:
        return reason
    whole = [v for v in column.column.values if isinstance(v, (int, Decimal)) and v == int(v)]
    if len(whole) < CLOCK_MIN_VALUES or len(whole) < len([v for v in column.column.values if v is not None]):
        return None
    numbers = [int(v) for v in whole]
    if (
        min(numbers) >= 0
        and max(numbers) <= 2400
        and max(numbers) >= 100
        and all(n % 100 < 60 for n in numbers)
    ):
        return "a clock time written as hhmm"
    if YEARS[0] <= min(numbers) and max(numbers) <= YEARS[1]:
        return "a year"
    return None


def _links(
    outgoing: list[ForeignKey], dimensions: dict[str, Role], notes: dict[str, str], columns: set[str]
) -> dict[str, Any]:
    """`dimension: [columns]`; a dimension referenced several times gets one role per reference.
    A role whose surrogate key `<role>_key` is already a column of the fact (homegames' team_key)
    is named `<role>_dim`."""
    plays = Counter(fk.target for fk in outgoing)
    links: dict[str, Any] = {}
    for fk in outgoing:
        name = dimensions[fk.target].name
        role = name if plays[fk.target] == 1 else role_name(fk, name)
        while role in links or f"{role}_key" in columns:
            role += "_dim" if f"{role}_key" in columns else "_again"
        if role == name:
            links[name] = list(fk.columns)
            continue
        links[role] = {"dimension": name, "columns": list(fk.columns)}
        notes[role] = (
            f"dim_{name} plays {plays[fk.target]} roles in {fk.table}"
            if plays[fk.target] > 1
            else f"{name}_key is a column of {fk.table}: the role has a name of its own"
        )
    return links


def role_name(fk: ForeignKey, dimension: str) -> str:
    """origin_airport_code -> airport_code gives `origin_airport`; the key's own name gives the dimension."""
    pairs = list(zip(fk.columns, fk.target_key, strict=True))
    first, target = next(((c, k) for c, k in pairs if core_name(c) != core_name(k)), pairs[0])
    column, key = core_name(first), core_name(target)
    if column == key:
        return dimension
    if column.endswith("_" + key) or column.startswith(key + "_"):
        return f"{role_word(first, target)}_{dimension}"
    stem = stem_name(first) or column
    return stem if stem.endswith(dimension) else f"{stem}_{dimension}"


def _event_times(table: TableProfile, key: KeyCandidate) -> list[str]:
    """Date and timestamp columns that say when something happened (not the change sequence)."""
    return [c.name for c in table.columns if c.is_temporal and c.name != key.sequence_by]


def _amount(numeric_names: list[str], taken: set[str]) -> tuple[str, str] | None:
    """quantity * unit price, unless the table already has an extended amount or the price is one."""
    if any(EXTENDED_NAME.search(n) for n in numeric_names):
        return None
    quantities = [n for n in numeric_names if QUANTITY_NAME.search(n)]
    prices = [n for n in numeric_names if PRICE_NAME.search(n)]
    if len(quantities) != 1 or len(prices) != 1:
        return None
    name = next(n for n in ("amount", "line_amount", "total_amount") if n not in taken)
    return name, f"{quantities[0]} * {prices[0]}"
