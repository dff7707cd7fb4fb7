"""Spark types from sample values, tolerant of a few dirty values per column."""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any

TOLERANCE = 0.02
"""Largest share of non-null values that may fail a type and still not make it a string."""
SMALL_SAMPLE_FAILURES = 2
"""...or this many in a small sample (one typo in 30 rows is still dirt), at most a tenth."""

INT_RANGE = (-(2**31), 2**31 - 1)
MONEY_NAME = re.compile(
    r"(price|amount|amt|cost|total|discount|revenue|fee|tax|balance|salary|payment|charge)"
)
_INTEGER = re.compile(r"^[+-]?(0|[1-9]\d*)$")
_FIXED = re.compile(r"^[+-]?(0|[1-9]\d*)\.(\d+)$|^[+-]?(0|[1-9]\d*)$")
_FLOAT = re.compile(r"^[+-]?((0|[1-9]\d*)(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_TIMESTAMP = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?)\d*(Z|[+-]\d{2}:?\d{2})?)?$"
)
MAX_MONEY_SCALE = 4


@dataclass(frozen=True)
class TypedColumn:
    """One column's chosen type, its values parsed (None: NULL or not parseable)."""

    name: str
    type: str
    values: list[Any]
    nulls: int
    bad: int
    bad_examples: tuple[str, ...]
    note: str = ""


def parse_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError(value)


def parse_integer(value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _INTEGER.match(value.strip()):
        return int(value)
    raise ValueError(value)


def parse_fixed(value: Any) -> Decimal:
    """A fixed-point number: an integer, a Decimal, or a float/text with a short fraction."""
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, (int, Decimal)):
        return Decimal(value)
    text = repr(value) if isinstance(value, float) else value
    if isinstance(text, str) and _FIXED.match(text.strip()):
        return Decimal(text.strip())
    raise ValueError(value)


def parse_double(value: Any) -> float:
    numeric = isinstance(value, (int, float, Decimal)) and not isinstance(value, bool)
    if not numeric and not (isinstance(value, str) and _FLOAT.match(value.strip())):
        raise ValueError(value)
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(value)
    return number


def parse_date(value: Any) -> date:
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and _DATE.match(value.strip()):
        return date.fromisoformat(value.strip())
    raise ValueError(value)


def parse_timestamp(value: Any) -> datetime:
    """ISO timestamps, naive or with an offset; aware ones are compared in UTC."""
    if isinstance(value, datetime):
        moment = value
    else:
        match = _TIMESTAMP.match(value.strip()) if isinstance(value, str) else None
        if not match:
            raise ValueError(value)
        day, clock, zone = match.groups()
        zone = "+00:00" if zone == "Z" else (zone[:3] + ":" + zone[-2:] if zone else "")
        moment = datetime.fromisoformat(f"{day}T{clock or '00:00'}{zone}")
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment


# Most specific first; the first type that parses as many values as the best one wins.
PARSERS: tuple[tuple[str, Callable[[Any], Any]], ...] = (
    ("boolean", parse_boolean),
    ("int", parse_integer),
    ("decimal", parse_fixed),
    ("double", parse_double),
    ("date", parse_date),
    ("timestamp", parse_timestamp),
)


def infer_column(name: str, raw: list[Any]) -> TypedColumn:
    """Choose a Spark type for raw values: text, or the typed values of JSON and Parquet."""
    present = [v for v in raw if v is not None]
    nulls = len(raw) - len(present)
    if not present:
        return TypedColumn(name, "string", list(raw), nulls, 0, (), "always empty in the sample")
    allowed = tolerated(len(present))
    best: tuple[int, str, Callable[[Any], Any]] | None = None
    for spark_type, parser in PARSERS:
        failures = _failures(present, parser, allowed)
        if failures is not None and (best is None or failures < best[0]):
            best = (failures, spark_type, parser)
    if best is None:
        return _typed(name, "string", raw, nulls, str)
    spark_type = best[1]
    note = ""
    if spark_type in ("int", "decimal", "double"):
        spark_type = _numeric_type(name, present, spark_type)
        if spark_type.endswith(",0)") and best[1] != "int":
            note = (
                "whole numbers written with a fraction (e.g. 1.0): decimal with scale 0, "
                "as try_cast('1.0' AS INT) is NULL in Spark"
            )
    typed = _typed(name, spark_type, raw, nulls, _parser_for(spark_type))
    return TypedColumn(**{**typed.__dict__, "note": typed.note or note})


def tolerated(count: int) -> int:
    """How many of `count` values may be dirt (unparseable, or NULL in a key column)."""
    return max(int(count * TOLERANCE), min(SMALL_SAMPLE_FAILURES, count // 10))


def _failures(values: list[Any], parser: Callable[[Any], Any], allowed: int) -> int | None:
    """How many values fail to parse, or None once more than `allowed` fail."""
    failures = 0
    for value in values:
        try:
            parser(value)
        except (ValueError, InvalidOperation):
            failures += 1
            if failures > allowed:
                return None
    return failures


def _numeric_type(name: str, values: list[Any], parsed_as: str) -> str:
    """int/bigint, decimal(p,s) for fixed-point (and money-named) columns, else double."""
    is_money = bool(MONEY_NAME.search(name))
    if parsed_as == "int" and not is_money:
        numbers = _parsed(values, parse_integer)
        return "int" if all(INT_RANGE[0] <= n <= INT_RANGE[1] for n in numbers) else "bigint"
    if parsed_as == "double" and not is_money:
        return "double"
    decimals = _parsed(values, parse_fixed) or [Decimal(repr(v)) for v in _parsed(values, parse_double)]
    if not is_money and decimals and all(d == d.to_integral_value() for d in decimals):
        whole = max(len(str(abs(int(d)))) for d in decimals)
        return f"decimal({min(38, max(12, whole + 2))},0)"
    scale = min(MAX_MONEY_SCALE, max([_scale(d) for d in decimals] + [2 if is_money else 0]))
    whole = max([len(str(abs(int(d)))) for d in decimals] + [1])
    if max(_scale(d) for d in decimals) > MAX_MONEY_SCALE and not is_money:
        return "double"
    return f"decimal({min(38, max(12, whole + scale + 2))},{scale})"


def _scale(number: Decimal) -> int:
    exponent = number.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def _parsed(values: list[Any], parser: Callable[[Any], Any]) -> list[Any]:
    result = []
    for value in values:
        try:
            result.append(parser(value))
        except (ValueError, InvalidOperation):
            continue
    return result


def _parser_for(spark_type: str) -> Callable[[Any], Any]:
    if spark_type.startswith("decimal"):
        scale = _type_scale(spark_type)
        return lambda v: round(Decimal(repr(v)) if isinstance(v, float) else parse_fixed(v), scale)
    return dict(PARSERS).get("int" if spark_type == "bigint" else spark_type, str)


def parse_as(spark_type: str, value: Any) -> Any:
    """`value` as inference types it for `spark_type`, or None when it is NULL or does not parse."""
    if value is None:
        return None
    try:
        return _parser_for(spark_type)(value)
    except (ValueError, InvalidOperation):
        return None


def _type_scale(spark_type: str) -> int:
    return int(spark_type.rstrip(")").split(",")[1])


def _typed(
    name: str, spark_type: str, raw: list[Any], nulls: int, parser: Callable[[Any], Any]
) -> TypedColumn:
    values: list[Any] = []
    bad: list[str] = []
    for value in raw:
        if value is None:
            values.append(None)
            continue
        try:
            values.append(parser(value))
        except (ValueError, InvalidOperation):
            values.append(None)
            bad.append(str(value))
    examples = tuple(sorted(set(bad))[:3])
    return TypedColumn(name, spark_type, values, nulls, len(bad), examples)
