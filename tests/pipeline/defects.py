"""Check where each seeded defect of the sample manifest ended up in a finished local run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from medallion import naming
from medallion.rules import compile_rule
from medallion.spec.model import Spec
from medallion.sql import literal, quote_identifier

ReadTable = Callable[[str], Any]


def matches(values: dict[str, Any], prefix: str = "") -> str:
    """SQL matching raw text values null-safely (`prefix` e.g. '_raw.')."""
    parts = [
        f"CAST({prefix}{quote_identifier(k)} AS STRING) <=> {literal(None if v is None else str(v))}"
        for k, v in values.items()
    ]
    return " AND ".join(parts)


def defect_problem(
    read: ReadTable, spec: Spec, defect: dict[str, Any], source: str | None = None
) -> str | None:
    """None when the defect landed where the manifest says; otherwise what is wrong."""
    source = source or defect["table"]
    expect, key = defect["expect"], matches(defect["key"])
    if expect == "quarantine":
        rows = read(naming.quarantine_table(source)).where(matches(defect["match"], "_raw."))
        hits = rows.where(f"array_contains(_errors, {literal(defect['rule'])})").count()
        return None if hits >= 1 else f"not quarantined for {defect['rule']}: {rows.collect()}"
    history = read(naming.history_table(source))
    current = read(naming.silver_table(source))
    if expect == "warn":
        rule = next(e.rule for e in spec.source(source).row_rules if e.name == defect["rule"])
        assert rule is not None, "a row rule has its SQL"
        failing = history.where(key).where(f"NOT {compile_rule(rule)}").count()
        return None if failing >= 1 else f"no history row failing {defect['rule']}"
    if expect in ("silver_value", "superseded"):
        values = [str(r[defect["column"]]) for r in current.where(key).collect()]
        return None if values == [defect["value"]] else f"silver {defect['column']} = {values}"
    if expect == "duplicate":
        same = history.where(f"{key} AND {matches({'updated_at': defect['match']['updated_at']})}").count()
        kept = current.where(key).count()
        return None if same >= 2 and kept == 1 else f"history copies {same}, silver rows {kept}"
    if expect == "orphan":
        return None if current.where(key).count() == 1 else "orphan row missing from silver"
    if expect == "rescued":
        rows = [r.asDict() for r in read(naming.bronze_table(source)).where(key).collect()]
        kept = [
            r
            for r in rows
            if r.get(defect["column"]) == defect["value"] or defect["value"] in (r.get("_rescued_data") or "")
        ]
        return None if kept else f"value lost: {rows}"
    return f"unknown expectation {expect}"
