"""Safe SQL text: quoted identifiers and literals, never pasted raw input."""

from __future__ import annotations

import re

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
