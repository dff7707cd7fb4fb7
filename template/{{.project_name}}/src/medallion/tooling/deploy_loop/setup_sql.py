"""Run sql/setup.sql (schemas, volumes, grants) statement by statement on a warehouse."""

from __future__ import annotations

from pathlib import Path

from medallion.monitor.warehouse import Warehouse

SETUP_SQL = Path("sql") / "setup.sql"


def split_statements(text: str) -> list[str]:
    """Split on `;` outside quotes, backticks and comments; drop empty and comment-only pieces."""
    statements, current, quote, index = [], [], "", 0
    while index < len(text):
        char, pair = text[index], text[index : index + 2]
        if quote:
            current.append(char)
            if char == quote and text[index + 1 : index + 2] == quote:  # doubled quote inside
                current.append(text[index + 1])
                index += 1
            elif char == "\\" and quote != "`":
                current.append(text[index + 1 : index + 2])
                index += 1
            elif char == quote:
                quote = ""
        elif pair == "--":
            end = text.find("\n", index)
            index = len(text) if end < 0 else end
            continue
        elif pair == "/*":
            end = text.find("*/", index + 2)
            index = len(text) if end < 0 else end + 2
            continue
        elif char in "'\"`":
            quote = char
            current.append(char)
        elif char == ";":
            statements.append("".join(current).strip())
            current = []
        else:
            current.append(char)
        index += 1
    statements.append("".join(current).strip())
    return [s for s in statements if s]


def run_setup(warehouse: Warehouse, path: Path) -> list[str]:
    """Run every statement of `path`; the statements run, in order (SqlError stops at the first failure)."""
    statements = split_statements(path.read_text())
    for statement in statements:
        warehouse.query(statement)
    return statements
