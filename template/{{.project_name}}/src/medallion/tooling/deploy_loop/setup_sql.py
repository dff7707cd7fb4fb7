"""Run sql/setup.sql (schemas, volumes, grants) statement by statement on a warehouse."""

from __future__ import annotations

import re
from pathlib import Path

from medallion.monitor.warehouse import Warehouse

SETUP_SQL = Path("sql") / "setup.sql"


DOLLAR_QUOTE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)?\$")


def split_statements(text: str) -> list[str]:
    """Split on `;` outside quotes, backticks, `$$` (or `$tag$`) bodies and comments, as Databricks
    SQL reads them: `--` to the end of the line, and bracketed comments that nest
    (`/* a /* b */ still a comment */`); drop empty and comment-only pieces."""
    statements: list[str] = []
    current: list[str] = []
    index = 0
    while index < len(text):
        char, pair = text[index], text[index : index + 2]
        dollar = DOLLAR_QUOTE.match(text, index) if char == "$" else None
        if pair == "--":
            end = text.find("\n", index)
            index = len(text) if end < 0 else end
        elif pair == "/*":
            index = _comment_end(text, index)
        elif char in "'\"`":
            end = _quoted_end(text, index, char)
            current.append(text[index:end])
            index = end
        elif dollar is not None:
            close = text.find(dollar.group(0), dollar.end())
            end = len(text) if close < 0 else close + len(dollar.group(0))
            current.append(text[index:end])
            index = end
        elif char == ";":
            statements.append("".join(current).strip())
            current = []
            index += 1
        else:
            current.append(char)
            index += 1
    statements.append("".join(current).strip())
    return [s for s in statements if s]


def _comment_end(text: str, index: int) -> int:
    """Where a bracketed comment starting at `index` ends; nested ones count (Spark SQL)."""
    depth, index = 1, index + 2
    while index < len(text) and depth:
        pair = text[index : index + 2]
        if pair == "/*":
            depth, index = depth + 1, index + 2
        elif pair == "*/":
            depth, index = depth - 1, index + 2
        else:
            index += 1
    return index


def _quoted_end(text: str, index: int, quote: str) -> int:
    """Where a quoted text (or backticked name) starting at `index` ends: a doubled quote is one
    quote; a backslash escapes in strings, not in backticks."""
    index += 1
    while index < len(text):
        char = text[index]
        if (char == quote and text[index + 1 : index + 2] == quote) or (char == "\\" and quote != "`"):
            index += 2
        elif char == quote:
            return index + 1
        else:
            index += 1
    return len(text)


def run_setup(warehouse: Warehouse, path: Path) -> list[str]:
    """Run every statement of `path`; the statements run, in order (SqlError stops at the first failure)."""
    statements = split_statements(path.read_text())
    for statement in statements:
        warehouse.query(statement)
    return statements
