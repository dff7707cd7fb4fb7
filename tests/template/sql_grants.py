"""Read the GRANT statements of a rendered SQL script with sqlglot's Databricks dialect.

sqlglot parses GRANT ... ON SCHEMA into exp.Grant but falls back to exp.Command for
CATALOG and VOLUME securables; both are checked to the same standard: the securable is a
dotted name of backtick-quoted identifiers and the principal one quoted identifier.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import sqlglot
from sqlglot import exp
from sqlglot.dialects.databricks import Databricks
from sqlglot.tokens import Token, TokenType

logging.getLogger("sqlglot").setLevel(logging.ERROR)


@dataclass(frozen=True)
class Grant:
    """One parsed GRANT: privileges, securable kind and name parts, and the principal."""

    privileges: tuple[str, ...]
    kind: str
    securable: tuple[str, ...]
    principal: str


class NotQuoted(AssertionError):
    """A securable or principal that is not a single backtick-quoted identifier."""


def statements(sql: str) -> list[exp.Expr]:
    """Every statement of the script (comments and blank statements dropped)."""
    return [s for s in sqlglot.parse(sql, read="databricks") if s is not None]


def _from_grant(node: exp.Grant) -> Grant:
    securable = node.args["securable"]
    parts = [p for p in (securable.args.get("catalog"), securable.args.get("db"), securable.this) if p]
    for part in parts:
        if not (isinstance(part, exp.Identifier) and part.quoted):
            raise NotQuoted(f"securable part {part!r} is not a quoted identifier: {node.sql('databricks')}")
    principals = node.args["principals"]
    if len(principals) != 1:
        raise NotQuoted(f"expected one principal: {node.sql('databricks')}")
    principal = principals[0].this
    if not (isinstance(principal, exp.Identifier) and principal.quoted):
        raise NotQuoted(f"principal {principal!r} is not a quoted identifier: {node.sql('databricks')}")
    privileges = tuple(p.this.name.upper() for p in node.args["privileges"])
    return Grant(privileges, str(node.args["kind"]).upper(), tuple(p.name for p in parts), principal.name)


def _from_tokens(text: str) -> Grant:
    tokens: list[Token] = Databricks().tokenize(text)
    words = [t.text.upper() for t in tokens]
    if words[0] != "GRANT" or "ON" not in words or "TO" not in words:
        raise NotQuoted(f"not a GRANT ... ON ... TO ...: {text}")
    on, to = words.index("ON"), len(words) - 1 - words[::-1].index("TO")
    privileges = " ".join(words[1:on]).split(" , ")
    name_tokens = tokens[on + 1 : to]
    kind_words = []
    while name_tokens and name_tokens[0].token_type != TokenType.IDENTIFIER:
        kind_words.append(name_tokens.pop(0).text.upper())
    parts = name_tokens[0::2]
    dots = name_tokens[1::2]
    if not parts or any(t.token_type != TokenType.IDENTIFIER for t in parts):
        raise NotQuoted(f"securable is not quoted identifiers: {text}")
    if any(t.token_type != TokenType.DOT for t in dots) or len(dots) != len(parts) - 1:
        raise NotQuoted(f"securable is not a dotted name: {text}")
    principal = tokens[to + 1 :]
    if len(principal) != 1 or principal[0].token_type != TokenType.IDENTIFIER:
        raise NotQuoted(f"principal is not one quoted identifier: {text}")
    return Grant(
        tuple(p.replace(" ,", "").strip() for p in privileges),
        " ".join(kind_words),
        tuple(t.text for t in parts),
        principal[0].text,
    )


def grants(sql: str) -> list[Grant]:
    """Every GRANT of the script, checked for quoting (raises NotQuoted)."""
    found = []
    for statement in statements(sql):
        if isinstance(statement, exp.Grant):
            found.append(_from_grant(statement))
        elif isinstance(statement, exp.Command) and statement.this.upper() == "GRANT":
            found.append(_from_tokens(statement.sql("databricks", comments=False)))
    return found
