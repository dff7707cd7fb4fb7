"""Checks of values the pipeline pastes into SQL as literals, against the column's type (the
expectation sets in medallion.expectations name the check each takes).

A range bound or accepted value that Spark cannot cast to the column's type (`min: 'one'` on
an int) does not quarantine rows: under ANSI SQL the whole query fails with
CAST_INVALID_INPUT. These checks refuse such specs at load time, and types Spark refuses
(decimal(50,2)).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

INTEGRAL = ("tinyint", "smallint", "int", "bigint")
FRACTIONAL = ("float", "double")
TEMPORAL = ("date", "timestamp", "timestamp_ntz")
MAX_PRECISION = 38
_DECIMAL = re.compile(r"^decimal(?:\((\d+),(\d+)\))?$")

Problem = tuple[str, str]  # (key below the entry, message)
Check = Callable[[Mapping[str, Any], str, str], Iterator[Problem]]
"""An expectation set's check: (entry, column, the column's Spark type) -> problems."""


def is_numeric(spark_type: str) -> bool:
    return spark_type in INTEGRAL or spark_type in FRACTIONAL or spark_type.startswith("decimal")


def decimal_problem(spark_type: str) -> str | None:
    """Why a normalised type such as decimal(50,2) is not a Spark type, or None."""
    match = _DECIMAL.match(spark_type)
    if not match or match[1] is None:
        return None
    precision, scale = int(match[1]), int(match[2])
    if not 1 <= precision <= MAX_PRECISION:
        return (
            f"decimal({precision},{scale}): precision must be 1 to {MAX_PRECISION} digits; "
            f"e.g. decimal({MAX_PRECISION},{min(scale, MAX_PRECISION)})"
        )
    if scale > precision:
        return (
            f"decimal({precision},{scale}): the scale (digits after the point) cannot exceed the "
            f"precision (all digits); e.g. decimal({max(precision, scale)},{scale})"
        )
    return None


def value_as(value: Any, spark_type: str) -> tuple[Any, str | None]:
    """(comparable value, None) when Spark can cast `value` to `spark_type`, else (None, why)."""
    if spark_type == "boolean":
        if isinstance(value, bool) or str(value).strip().lower() in ("true", "false"):
            return str(value).strip().lower() == "true", None
        return None, f"{value!r} is not true or false ({spark_type} column)"
    if is_numeric(spark_type):
        if isinstance(value, bool):
            return None, f"{value!r} is not a number ({spark_type} column)"
        try:
            number = Decimal(str(value).strip())
        except InvalidOperation:
            return None, f"{value!r} is not a number, and the column is {spark_type}"
        if not number.is_finite():
            return None, f"{value!r} is not a finite number ({spark_type} column)"
        return number, None
    if spark_type in TEMPORAL:
        parsed = _as_time(value, date_only=spark_type == "date")
        if parsed is None:
            return None, f"{value!r} is not a {spark_type}"
        return parsed, None
    return str(value), None  # string, binary: any text compares


# what Spark's string -> date/timestamp casts accept: yyyy[-m[-d]][( |T)h[:m[:s[.f]]]][zone],
# and the special values (DateTimeUtils.stringToDate/stringToTimestamp, specialDate/Timestamp)
_SPARK_TIME = re.compile(
    r"^[+-]?\d{4,6}(-\d{1,2}(-\d{1,2}([ T]\d{1,2}(:\d{1,2}(:\d{1,2}(\.\d{1,9})?)?)?)?)?)?"
    r"\s*(Z|UTC|GMT|[+-]\d{1,2}(:?\d{2})?|[A-Za-z]+/[A-Za-z_+-]+)?$"
)
_SPECIAL_TIMES = ("epoch", "now", "today", "yesterday", "tomorrow")


def _as_time(value: Any, *, date_only: bool) -> Any:
    """A datetime to order bounds by, the text itself when Spark casts it but Python cannot
    order it ('2024', 'today'), or None when Spark's cast would fail."""
    if isinstance(value, datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, date):
        return datetime(value.year, value.month, value.day)
    if not isinstance(value, str):
        return None
    text = value.strip()
    if text.lower() in _SPECIAL_TIMES:
        return text
    try:
        if date_only:
            day = date.fromisoformat(text[:10])
            return datetime(day.year, day.month, day.day)
        return datetime.fromisoformat(text).replace(tzinfo=None)
    except ValueError:
        return text if _SPARK_TIME.match(text) else None


def accepted_values_problems(entry: Mapping[str, Any], column: str, spark_type: str) -> Iterator[Problem]:
    """accepted_values: each value is one Spark can cast to the column's type."""
    for index, value in enumerate(entry.get("values", ())):
        unquoted = _unquoted(value, column, spark_type)
        if unquoted:
            yield f"values[{index}]", unquoted
            continue
        _, why = value_as(value, spark_type)
        if why:
            fix = f"Spark would fail the whole query casting it; {_fix(spark_type)}"
            yield f"values[{index}]", f"{why}: {fix}"


def numeric_problems(use: str) -> Check:
    """A set that applies to numbers only."""

    def check(entry: Mapping[str, Any], column: str, spark_type: str) -> Iterator[Problem]:
        if not is_numeric(spark_type):
            yield "column", f"{column} is {spark_type}: `{use}` applies to numbers only"

    return check


def temporal_problems(use: str) -> Check:
    """A set that applies to dates and timestamps only."""

    def check(entry: Mapping[str, Any], column: str, spark_type: str) -> Iterator[Problem]:
        if spark_type not in TEMPORAL:
            yield "column", f"{column} is {spark_type}: `{use}` applies to date or timestamp columns"

    return check


def regex_problems(entry: Mapping[str, Any], column: str, spark_type: str) -> Iterator[Problem]:
    problem = _regex_problem(entry.get("pattern"))
    if problem:
        yield "pattern", problem


def range_problems(entry: Mapping[str, Any], column: str, spark_type: str) -> Iterator[Problem]:
    """range: bounds Spark can cast to the column's type, in order."""
    if spark_type in ("boolean", "binary"):
        yield "use", f"{column} is {spark_type}: a range needs a number, date, timestamp or string column"
        return
    bounds: dict[str, Any] = {}
    for end in ("min", "max"):
        if end not in entry:
            continue
        value, why = value_as(entry[end], spark_type)
        unquoted = _unquoted(entry[end], column, spark_type)
        if unquoted:
            yield end, unquoted
            continue
        if why:
            fix = f"Spark would fail the whole query instead of quarantining rows; {_fix(spark_type)}"
            yield end, f"{why}: {fix}"
        else:
            bounds[end] = value
    low, high = bounds.get("min"), bounds.get("max")
    if low is not None and high is not None and type(low) is type(high) and low > high:
        yield (
            "min",
            f"min {entry['min']!r} is greater than max {entry['max']!r}: every row would fail; swap them",
        )


def _unquoted(value: Any, column: str, spark_type: str) -> str | None:
    """A number or boolean compared with a string column: Spark casts the column, not the value."""
    if spark_type == "string" and isinstance(value, (bool, int, float)):
        text = str(value).lower() if isinstance(value, bool) else str(value)
        return (
            f"{value!r} is not text but {column} is a string column: Spark would cast every "
            f"{column} value to a number and fail the query on the first non-number; quote it: '{text}'"
        )
    return None


def _fix(spark_type: str) -> str:
    if is_numeric(spark_type):
        return "write a number, e.g. 1 or 0.5"
    if spark_type == "date":
        return "write a date as 'YYYY-MM-DD', e.g. '2024-01-31'"
    if spark_type in TEMPORAL:
        return "write a time as 'YYYY-MM-DD HH:MM:SS', e.g. '2024-01-31 13:45:00'"
    if spark_type == "boolean":
        return "write true or false"
    return "correct the value"


def _regex_problem(pattern: Any) -> str | None:
    """Patterns no regex engine accepts (unbalanced brackets, a quantifier with nothing before)."""
    if not isinstance(pattern, str):
        return None
    try:
        re.compile(pattern)
    except re.error as error:
        fatal = ("missing )", "unbalanced parenthesis", "unterminated character set", "nothing to repeat")
        if any(f in str(error) for f in fatal):
            return f"{pattern!r} is not a regular expression ({error}); Spark would fail the query"
    return None
