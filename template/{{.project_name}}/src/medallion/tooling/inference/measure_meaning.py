"""Whether a numeric column's sum means something, from its name: the one judgement `infer`
(drafting a fact's measures) and `validate` (warning on a measure) share.

Identifiers and codes, calendar parts, years, ordinals and coordinates are numbers whose sum
means nothing; so are levels (temperatures, rates, speeds), which average but do not add up.
Values can say more (a clock time written as hhmm): `infer` checks those itself.
"""

from __future__ import annotations

import re

IDENTIFIER_LAST = {
    "id", "key", "code", "no", "nr", "num", "number", "zip", "zipcode", "postcode", "phone", "ssn",
    "isbn", "ean", "upc", "sku", "flight", "tailnum", "iata", "icao", "faa", "fips",
}  # fmt: skip
CALENDAR = {
    "year", "yr", "yyyy", "month", "day", "hour", "minute", "second", "week", "wk", "quarter", "qtr",
    "dow", "weekday", "doy", "yearid",
}  # fmt: skip
ENGLISH_ID = {
    "paid",
    "valid",
    "avoid",
    "void",
    "fluid",
    "solid",
    "rapid",
    "liquid",
    "hybrid",
    "humid",
    "acid",
}
"""Words ending in "id" that are not identifiers (lower-cased headers lose camelCase: playerid)."""
ORDINAL_LAST = {
    "rank", "position", "pos", "seq", "sequence", "ordinal", "stint", "round", "lineno", "line", "inseason",
}  # fmt: skip
COORDINATE = {"lat", "latitude", "lon", "lng", "longitude", "alt", "altitude", "elevation"}
LEVEL = {
    "temp", "temperature", "dewp", "dewpoint", "humid", "humidity", "pressure", "speed", "rate",
    "ratio", "pct", "percent", "percentage", "avg", "average", "mean", "score", "age", "gust",
    "visib", "visibility", "dir", "direction", "precip_rate", "share", "median", "per",
    "era", "ba", "baopp", "obp", "slg", "ops", "whip", "fp",
}  # fmt: skip
"""Levels, rates and averages (the last line: baseball's earned run average, batting average,
on-base and slugging rates, fielding percentage)."""
BOUND = {
    "max", "min", "maximum", "minimum", "needed", "required", "limit", "threshold", "target", "quota",
    "capacity", "cap",
}  # fmt: skip
"""A bound or target a row is measured against (points_max, votes needed): not an amount."""
MONEY = re.compile(r"(price|amount|amt|cost|total|discount|revenue|fee|tax|balance|salary|payment|charge)")
COUNT = re.compile(
    r"(^|_)(quantity|qty|units|count|cnt|n|num_\w+|games|g|ab|r|h|hr|rbi|bb|so|sb|w|l|sv)($|_)"
)
DURATION = re.compile(
    r"(delay|duration|distance|elapsed|minutes|mins|seconds|secs|hours|miles|km|weight|volume)"
)


def _tokens(name: str) -> list[str]:
    """camelCase and snake_case words, lower case: yearID -> [year, id], dep_time -> [dep, time]."""
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", name)
    return [t for t in re.split(r"[^A-Za-z0-9]+", spaced.lower()) if t]


def not_additive(name: str) -> str | None:
    """Why a column of this name is not a measure, or None when its name says nothing against it."""
    tokens = _tokens(name)
    if not tokens:
        return None
    last = tokens[-1]
    if last in IDENTIFIER_LAST or (last.endswith("id") and len(last) > 3 and last not in ENGLISH_ID):
        return "an identifier or code"
    if any(t in CALENDAR for t in tokens):
        return "a calendar part"
    if last in ORDINAL_LAST or name.lower().endswith("line_number"):
        return "an ordinal (a position, not an amount)"
    if any(t in COORDINATE for t in tokens):
        return "a coordinate"
    if any(t in LEVEL for t in tokens):
        return "a level (it averages; a sum of it means nothing)"
    if any(t in BOUND for t in tokens):
        return "a bound or target (a limit rows are measured against, not an amount)"
    return None


def additive_evidence(name: str) -> str:
    """Why a measure of this name adds up over rows (for the draft's comment)."""
    lowered = name.lower()
    if MONEY.search(lowered):
        return "an amount of money: adds up over rows"
    if DURATION.search(lowered):
        return "a duration, distance or weight: adds up over rows (divide by the row count to average)"
    if COUNT.search(lowered):
        return "a count: adds up over rows"
    return (
        "numeric and not a key, code, calendar part, clock time, year or ordinal: "
        "check that a sum means something"
    )
