"""Column names the pipeline adds itself, which a spec's columns may not take
(declared in medallion.vocabulary)."""

from __future__ import annotations

from medallion.vocabulary import RESERVED_COLUMNS, RESERVED_PREFIXES


def reserved_reason(name: str) -> str | None:
    """Why `name` cannot be a spec column, or None when it can."""
    if name in RESERVED_COLUMNS:
        return f"{name!r} is a column the pipeline adds itself"
    for prefix in RESERVED_PREFIXES:
        if name.startswith(prefix):
            return f"names starting with {prefix!r} are reserved for columns the pipeline adds"
    return None
