"""Safe SQL text: quoted identifiers and literals, never pasted raw input."""

from __future__ import annotations

import re
from collections.abc import Callable

_IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


def quote_identifier(name: str) -> str:
    """Backtick-quote one identifier part, doubling any backtick inside it."""
    if not name:
        raise ValueError("empty SQL identifier")
    return "`" + name.replace("`", "``") + "`"


def quote_name(*parts: str) -> str:
    """Quote a dotted name such as catalog.schema.table, part by part."""
    return ".".join(quote_identifier(p) for p in parts)


def is_plain_identifier(name: str) -> bool:
    """True for names that need no quoting (letters, digits, underscores)."""
    return bool(_IDENTIFIER.match(name))


def literal(value: object) -> str:
    """Render a Python value as a Spark SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    text = str(value).replace("\\", "\\\\").replace("'", "\\'")
    return f"'{text}'"


SAFE_DIVIDE = re.compile(r"\bsafe_divide\s*\(", re.IGNORECASE)


def expand_safe_divide(text: str) -> str:
    """safe_divide(a, b) in the spec's SQL (rules, derived columns, measures, aggregates) ->
    Spark's try_divide(a, b): NULL on a zero or NULL divisor on both engines. Text inside
    literals and quoted names stays as written."""
    return outside_literals(text, SAFE_DIVIDE, lambda _: "try_divide(")


def outside_literals(sql: str, pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str]) -> str:
    """`pattern` replaced in the SQL text only, never inside a string literal ('...', "...",
    with backslash escapes) or a quoted name (`...`): a literal '{fact_sales}' stays text."""
    return "".join(pattern.sub(replace, part) if code else part for code, part in _segments(sql))


def find_outside_literals(sql: str, pattern: re.Pattern[str]) -> list[str]:
    """Every match of `pattern`'s first group in the SQL text outside literals and quoted names."""
    return [m.group(1) for code, part in _segments(sql) if code for m in pattern.finditer(part)]


def _segments(sql: str) -> list[tuple[bool, str]]:
    """The text cut into (is SQL text, part): string literals and quoted names are parts of
    their own (an unterminated one runs to the end)."""
    parts: list[tuple[bool, str]] = []
    start = index = 0
    while index < len(sql):
        quote = sql[index]
        if quote not in "'\"`":
            index += 1
            continue
        parts.append((True, sql[start:index]))
        end = index + 1
        while end < len(sql):
            if sql[end] == "\\" and quote != "`":
                end += 2  # an escaped character of a string literal
            elif sql[end] == quote and quote == "`" and sql[end + 1 : end + 2] == "`":
                end += 2  # a doubled backtick inside a quoted name
            elif sql[end] == quote:
                break
            else:
                end += 1
        end = min(end + 1, len(sql))
        parts.append((False, sql[index:end]))
        start = index = end
    parts.append((True, sql[start:]))
    return [(code, part) for code, part in parts if part]
