"""Typing raw columns as the spec says: ANSI-safe casts, trim, case and date formats.

A value that does not fit becomes NULL (and then fails a rule); it never fails the run.
"""

from __future__ import annotations

from medallion.spec.model import Column
from medallion.sql import literal, quote_identifier

TEMPORAL_TYPES = ("date", "timestamp", "timestamp_ntz")


def clean_text(source: str, trim: bool, null_values: tuple[str, ...] = ()) -> str:
    """The raw value as text, trimmed when asked, with empty text and the source's null tokens
    (`source.null_values`, compared after trimming) as NULL."""
    text = f"CAST({source} AS STRING)"
    if trim:
        text = f"trim({text})"
    if null_values:
        tokens = ", ".join(literal(v.strip() if trim else v) for v in null_values)
        text = f"CASE WHEN {text} IN ({tokens}) THEN NULL ELSE {text} END"
    return f"nullif({text}, '')"


def typed_expression(column: Column, source: str | None = None, null_values: tuple[str, ...] = ()) -> str:
    """SQL for one typed column from its raw value (`source`, default the column itself)."""
    raw = source or quote_identifier(column.name)
    text = clean_text(raw, column.trim, null_values)
    if column.is_string:
        return {"lower": f"lower({text})", "upper": f"upper({text})"}.get(column.case, text)
    if column.type in TEMPORAL_TYPES and column.format:
        parsed = f"try_to_timestamp({text}, {literal(column.format)})"
        return parsed if column.type == "timestamp" else f"CAST({parsed} AS {column.type.upper()})"
    return f"try_cast({text} AS {column.type.upper()})"


def typed_columns(columns: tuple[Column, ...], null_values: tuple[str, ...] = ()) -> list[str]:
    """`typed_expression AS name` for every column, ready for selectExpr."""
    return [f"{typed_expression(c, null_values=null_values)} AS {quote_identifier(c.name)}" for c in columns]
