"""Suggested expectations from a table profile, each with the evidence behind it."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from medallion.tooling.inference.primary_keys import KeyCandidate
from medallion.tooling.inference.profile import ColumnProfile, TableProfile

MAX_ACCEPTED_VALUES = 10
MIN_ROWS_FOR_VALUES = 20
RARE_SHARE = 0.002
"""accepted_values leaves out values seen in fewer than this share of rows (typos, dirt)."""
MIN_MATCH = 0.95
MAX_DIRT_NEGATIVES = 2
DIRT_SHARE = 0.01
"""non_negative only when negatives are this rare (one typo), never for a column of signed values."""
PRICE_NAME = re.compile(r"(price|cost|fee)")
"""Never negative by meaning: one or two negatives are dirt even in a small sample."""
NON_NEGATIVE_NAME = re.compile(
    r"(price|cost|fee|amount|quantity|qty|units|count|distance|weight|duration|elapsed|seats|population)"
)
"""Sign rules only where the name makes the sign certain (a delay or a temperature may be negative)."""
FENCE = 3.0
"""Values beyond the quartiles by this many interquartile ranges are suspicious, not bounds."""
MARGIN = 0.1
"""A drafted range reaches this share of the usual values' span beyond them."""
DOMAIN_RANGES: tuple[tuple[re.Pattern[str], int, int, str], ...] = (
    (re.compile(r"(^|_)month($|_)"), 1, 12, "a month"),
    (re.compile(r"(^|_)hour($|_)"), 0, 23, "an hour of the day"),
    (re.compile(r"(^|_)minute($|_)"), 0, 59, "a minute"),
    (re.compile(r"(^|_)second($|_)"), 0, 59, "a second"),
    (re.compile(r"(^|_)(lat|latitude)($|_)"), -90, 90, "a latitude"),
    (re.compile(r"(^|_)(lon|lng|long|longitude)($|_)"), -180, 180, "a longitude"),
)
"""Columns whose name says what they hold get the domain's range, never a widened sample range."""


@dataclass(frozen=True)
class Suggestion:
    """One expectation entry for the spec and the sample evidence for it."""

    entry: dict[str, Any]
    evidence: str


@dataclass(frozen=True)
class Suggestions:
    """A table's suggested rules and per-column case normalisation."""

    rules: tuple[Suggestion, ...]
    case: dict[str, str]


def suggest_rules(table: TableProfile, key: KeyCandidate | None, reference_columns: set[str]) -> Suggestions:
    """not_null (drop for key and sequence columns, warn otherwise), unique, ranges, values, formats."""
    rules: list[Suggestion] = []
    case: dict[str, str] = {}
    required = [*key.columns, *([key.sequence_by] if key.sequence_by else [])] if key else []
    if required:
        counts = ", ".join(f"{c} {_missing(table.column(c)):,}" for c in required)
        rules.append(
            Suggestion(
                {"use": "not_null", "columns": required, "action": "drop"},
                f"key{' and sequence' if key and key.sequence_by else ''}: NULL or unparseable per column: "
                f"{counts} of {table.rows:,} rows",
            )
        )
    if key:
        rules.append(Suggestion({"use": "unique", "action": "warn"}, key.evidence))
    rules.extend(_not_null([c for c in table.columns if c.name not in required], table.rows))
    for column in table.columns:
        is_key = column.name in required or column.name in reference_columns
        rules.extend(_value_rules(column, is_key, case))
    return Suggestions(tuple(rules), case)


def _missing(column: ColumnProfile) -> int:
    return column.rows - column.non_null


def _not_null(columns: list[ColumnProfile], rows: int) -> list[Suggestion]:
    """One warn rule for every column without NULLs; unparseable values will become NULL and fail it."""
    complete = [c for c in columns if not c.column.nulls]
    if not complete or not rows:
        return []
    evidence = f"0 nulls in {rows:,} rows" + "".join(
        f"; {c.name}: {_bad_values(c)} that try_cast makes NULL" for c in complete if c.column.bad
    )
    entry = {"use": "not_null", "columns": [c.name for c in complete], "action": "warn"}
    return [Suggestion(entry, evidence)]


def _bad_values(column: ColumnProfile) -> str:
    examples = ", ".join(repr(e) for e in column.column.bad_examples)
    return f"{column.column.bad:,} value(s) not {column.type} (e.g. {examples})"


def _value_rules(column: ColumnProfile, is_key: bool, case: dict[str, str]) -> list[Suggestion]:
    if not column.non_null:
        return []
    if column.is_numeric and not is_key:
        return _numeric(column)
    if column.is_temporal and not is_key:
        return _not_in_future(column)
    if column.type != "string":
        return []
    if column.emails >= column.non_null * MIN_MATCH:
        case[column.name] = "lower"
        share = f"{column.emails:,} of {column.non_null:,} values look like e-mail addresses"
        return [Suggestion({"use": "email", "column": column.name, "action": "warn"}, share)]
    if not is_key:
        values = _accepted_values(column, case)
        if values:
            return [values]
    return _shape(column)


def _numeric(column: ColumnProfile) -> list[Suggestion]:
    """A domain range where the name is clear; non_negative where the name makes the sign certain
    and negatives are absent (or one or two typos); else a range around the usual values with a
    margin. Outliers (beyond the quartiles by FENCE interquartile ranges) are named as suspicious
    in the evidence, never baked into the bounds."""
    values = [v for v in column.column.values if v is not None]
    negative = sum(1 for v in values if v < 0)
    span = f"min {column.minimum}, max {column.maximum} in {len(values):,} values"
    low, high = _plain(column.minimum), _plain(column.maximum)
    for pattern, domain_low, domain_high, meaning in DOMAIN_RANGES:
        if pattern.search(column.name.lower()) and domain_low <= low and high <= domain_high:
            entry = {
                "use": "range",
                "column": column.name,
                "min": domain_low,
                "max": domain_high,
                "action": "warn",
            }
            return [Suggestion(entry, f"{span}; {meaning}: {domain_low}..{domain_high}")]
    certain = bool(NON_NEGATIVE_NAME.search(column.name.lower()))
    if column.type.startswith("decimal") and not column.type.endswith(",0)"):
        allowed = MAX_DIRT_NEGATIVES if PRICE_NAME.search(column.name.lower()) else len(values) * DIRT_SHARE
        if negative > min(MAX_DIRT_NEGATIVES, allowed):
            return []  # signed amounts (balances, adjustments): no bound the data would not break
        if certain:
            note = f"; {negative:,} negative: flagged as dirt" if negative else ""
            entry = {"use": "non_negative", "column": column.name, "action": "warn"}
            return [Suggestion(entry, span + "; never negative by its name" + note)]
    usual_low, usual_high, outliers = usual_range(values)
    whole = column.type in ("int", "bigint") or column.type.endswith(",0)")
    margin = (usual_high - usual_low) * MARGIN
    bound_low = _outward(usual_low - margin, whole, down=True)
    if certain and not negative and bound_low < 0:
        bound_low = 0  # a count or quantity: its name makes the sign certain
    bound_high = _outward(usual_high + margin, whole, down=False)
    entry = {"use": "range", "column": column.name, "min": bound_low, "max": bound_high, "action": "warn"}
    evidence = f"{span}; usual values {_plain(usual_low)}..{_plain(usual_high)}, widened by {MARGIN:.0%}"
    if outliers:
        shown = ", ".join(str(_plain(v)) for v in sorted(set(outliers), key=abs, reverse=True)[:3])
        evidence += f"; {len(outliers):,} suspicious value(s) left out of the rule (e.g. {shown}): check them"
    return [Suggestion(entry, evidence)]


def usual_range(values: list[Any]) -> tuple[float, float, list[float]]:
    """The smallest and largest values within FENCE interquartile ranges of the quartiles, and the
    values beyond (outliers). With no spread (IQR 0), every value is usual."""
    numbers = sorted(float(v) for v in values)
    q1, q3 = _quantile(numbers, 0.25), _quantile(numbers, 0.75)
    spread = q3 - q1
    if spread == 0:
        return numbers[0], numbers[-1], []
    lowest, highest = q1 - FENCE * spread, q3 + FENCE * spread
    usual = [n for n in numbers if lowest <= n <= highest]
    outliers = [n for n in numbers if n < lowest or n > highest]
    return usual[0], usual[-1], outliers


def _quantile(numbers: list[float], share: float) -> float:
    """Linear-interpolated quantile of sorted numbers."""
    position = (len(numbers) - 1) * share
    below = int(position)
    above = min(below + 1, len(numbers) - 1)
    return numbers[below] + (numbers[above] - numbers[below]) * (position - below)


def _outward(value: float, whole: bool, down: bool) -> int | float:
    """A bound rounded away from the usual values: whole numbers, or two decimals."""
    if whole:
        return int(math.floor(value) if down else math.ceil(value))
    scaled = value * 100
    return (math.floor(scaled) if down else math.ceil(scaled)) / 100


def _plain(value: Any) -> int | float:
    """A bound as YAML can write it: whole numbers as int."""
    number = float(value)
    return int(number) if number.is_integer() else number


def _not_in_future(column: ColumnProfile) -> list[Suggestion]:
    if column.type == "date":
        return []
    if not isinstance(column.maximum, datetime):
        return []
    evidence = f"sample runs from {column.minimum} to {column.maximum}"
    return [Suggestion({"use": "not_in_future", "column": column.name, "action": "warn"}, evidence)]


def _accepted_values(column: ColumnProfile, case: dict[str, str]) -> Suggestion | None:
    present = [v.strip() for v in column.column.values if isinstance(v, str)]
    if len(present) < MIN_ROWS_FOR_VALUES:
        return None
    raw = Counter(present)
    folded: Counter[str] = Counter()
    for value, count in raw.items():
        folded[value.lower()] += count
    normalise = _case_to_normalise(raw, len(folded) < len(raw))
    counts = folded if normalise else raw
    if len(counts) > MAX_ACCEPTED_VALUES * 2 or len(counts) > len(present) / 5:
        return None
    threshold = max(2, len(present) * RARE_SHARE)
    kept = sorted(v for v, n in counts.items() if n >= threshold)
    rare = sorted((v, n) for v, n in counts.items() if n < threshold)
    if not kept or len(kept) > MAX_ACCEPTED_VALUES:
        return None
    values = [v.upper() for v in kept] if normalise == "upper" else kept
    evidence = f"{len(kept)} value(s) cover {sum(counts[v] for v in kept):,} of {len(present):,} rows"
    if normalise:
        case[column.name] = normalise
        evidence += f"; spelled in mixed case: normalised to {normalise}"
    if rare:
        evidence += "; left out as rare: " + ", ".join(f"{v!r} ({n})" for v, n in rare[:5])
    return Suggestion(
        {"use": "accepted_values", "column": column.name, "values": values, "action": "warn"}, evidence
    )


def _case_to_normalise(counts: Counter[str], collisions: bool) -> str | None:
    """upper/lower when one word appears in several cases, or one case holds 80% of the rows."""
    upper = sum(n for v, n in counts.items() if v.isupper())
    lower = sum(n for v, n in counts.items() if v.islower())
    total = sum(counts.values())
    dominant = max(upper, lower) >= total * 0.8 and min(upper, lower) > 0
    if not (collisions or dominant):
        return None
    return "upper" if upper > lower else "lower"


_RUN = re.compile(r"[A-Z]+|[a-z]+|[0-9]+|.", re.DOTALL)
_CLASSES = {"A": "[A-Z]", "a": "[a-z]", "9": "[0-9]"}


def _shape(column: ColumnProfile) -> list[Suggestion]:
    """A regex when (almost) every value has one shape, e.g. ^[A-Z]{2}-[0-9]{4,5}$."""
    present = [v.strip() for v in column.column.values if isinstance(v, str)]
    if len(set(present)) <= MAX_ACCEPTED_VALUES or any(" " in v or len(v) > 40 for v in present[:1000]):
        return []
    shapes: dict[tuple[str, ...], list[tuple[str, ...]]] = {}
    for value in present:
        runs = tuple(_RUN.findall(value))
        shapes.setdefault(tuple(_class_of(r) for r in runs), []).append(runs)
    signature, matches = max(shapes.items(), key=lambda item: (len(item[1]), item[0]))
    if len(matches) < len(present) * MIN_MATCH:
        return []
    parts = [_pattern_part(token, [m[index] for m in matches]) for index, token in enumerate(signature)]
    evidence = f"{len(matches):,} of {len(present):,} values have this shape"
    return [
        Suggestion(
            {"use": "regex", "column": column.name, "pattern": "^" + "".join(parts) + "$", "action": "warn"},
            evidence,
        )
    ]


def _pattern_part(token: str, runs: list[str]) -> str:
    """A literal when every value has the same text here, else the character class and length."""
    if token not in _CLASSES or len(set(runs)) == 1:
        return re.escape(runs[0]).replace("\\-", "-")
    low, high = min(map(len, runs)), max(map(len, runs))
    repeat = "" if low == high == 1 else f"{{{low}}}" if low == high else f"{{{low},{high}}}"
    return _CLASSES[token] + repeat


def _class_of(run: str) -> str:
    if run.isdigit():
        return "9"
    if run.isascii() and run.isalpha():
        return "A" if run.isupper() else "a"
    return run
