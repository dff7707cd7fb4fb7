"""What `medallion dev` reruns after an edit, and what moved between two run reports.

A changed source's reader or columns reruns its bronze table and everything after it; changed
rules, keys or references rerun its silver history and quarantine (from scratch: a streaming
table keeps the rows it already judged) and their dependants; a changed star schema reruns gold.
An edit under src/ reruns the whole pipeline (incrementally).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from medallion import naming
from medallion.spec.model import SourceTable, Spec


@dataclass(frozen=True)
class Plan:
    """One rerun: `select` patterns for run-local (empty: everything), and why."""

    select: tuple[str, ...]
    full_refresh: bool
    why: str


def _silver_side(table: SourceTable) -> SourceTable:
    """The parts of a source that silver depends on (descriptions and thresholds do not count)."""
    return replace(table, description="", thresholds=None)  # type: ignore[arg-type]


def plan(old: Spec | None, new: Spec, code_changed: bool = False) -> Plan:
    """The rerun after an edit (a full incremental run when the change cannot be narrowed)."""
    if old is None or code_changed:
        return Plan((), False, "code under src/ changed" if code_changed else "first run")
    before = {s.name: s for s in old.sources}
    patterns: list[str] = []
    reasons: list[str] = []
    for source in new.sources:
        previous = before.get(source.name)
        if previous is None or previous.source != source.source or previous.columns != source.columns:
            patterns.append(naming.bronze_table(source.name) + "+")
            reasons.append(f"{source.name}: source or columns")
        elif _silver_side(previous) != _silver_side(source):
            patterns += [naming.history_table(source.name) + "+", naming.quarantine_table(source.name) + "+"]
            reasons.append(f"{source.name}: rules or keys")
    if set(before) - set(new.source_names):
        return Plan((), False, "a source was removed")
    if old.gold != new.gold:
        gold = [name for name, layer in naming.expected_tables(new).items() if layer == "gold"]
        patterns += [name + "+" for name in gold]
        reasons.append("gold")
    if not patterns:
        return Plan((), False, "no table definition changed")
    return Plan(tuple(dict.fromkeys(patterns)), True, "; ".join(reasons))


def _rows(report: Mapping[str, Any]) -> dict[str, Any]:
    return {name: info.get("rows") for name, info in report.get("tables", {}).items()}


def _failed(report: Mapping[str, Any]) -> dict[tuple[str, str], int]:
    return {(r["table"], r["rule"]): int(r["failed"]) for r in report.get("rules", [])}


def _reasons(report: Mapping[str, Any]) -> dict[tuple[str, str], int]:
    return {
        (table, item["rule"]): int(item["rows"])
        for table, items in report.get("quarantine_reasons", {}).items()
        for item in items
    }


def _moves(label: str, before: Mapping[Any, Any], after: Mapping[Any, Any], name: Any) -> list[str]:
    lines = []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key), after.get(key)
        if old != new:
            delta = f" ({new - old:+d})" if isinstance(old, int) and isinstance(new, int) else ""
            lines.append(f"  {label:<11}{name(key)}: {old if old is not None else '-'} -> {new}{delta}")
    return lines


def differences(previous: Mapping[str, Any] | None, current: Mapping[str, Any]) -> list[str]:
    """One line per table count, rule failure count and quarantine reason that moved."""
    if previous is None:
        return []
    lines = []
    if previous.get("status") != current.get("status"):
        lines.append(f"  status     {previous.get('status')} -> {current.get('status')}")
    lines += _moves("rows", _rows(previous), _rows(current), str)
    lines += _moves("failed", _failed(previous), _failed(current), lambda k: f"{k[0]}.{k[1]}")
    lines += _moves("quarantine", _reasons(previous), _reasons(current), lambda k: f"{k[0]} {k[1]}")
    return lines or ["  no change in counts, rules or quarantine"]
