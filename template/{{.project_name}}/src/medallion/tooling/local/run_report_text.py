"""The run report for a terminal: one screen, a block per subject, a line per source.

Renders the dict of `medallion.tooling.local.run_report.build_report`: rows per layer, the gold star,
failed rules, quarantine reasons, orphans, table checks, errors and the verdict.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from medallion import naming

WIDTH = 100
LABEL = 12
LAYER_COLUMNS = ("bronze", "history", "quarantine", "silver")


def format_report(report: Mapping[str, Any], page: Path | None = None) -> str:
    """The whole report: counts, gold, rules, quarantine, orphans, checks, errors, the report
    page's path (`page`, when written), verdict."""
    sources = list(report["conservation"])
    lines = [
        *failure_lines(report),
        *selection_lines(report),
        *row_counts(report, sources),
        *gold_star(report),
        *rule_results(report, sources),
        *quarantine(report, sources),
        *rescued(report),
        *orphans(report),
        *table_checks(report),
        *(f"error: {e}" for e in report["errors"]),
        *([f"page        {page} (charts of these figures; open it in a browser)"] if page else []),
        f"{report['status']} in {report['duration_s']} s",
    ]
    return "\n".join(lines)


def failure_lines(report: Mapping[str, Any]) -> list[str]:
    """A failed run says so first: its cause and the fix, before any figure."""
    if report["status"] == "COMPLETED":
        return []
    failure = report.get("failure") or {}
    cause = failure.get("cause") or (report["errors"][0] if report["errors"] else "see the errors below")
    lines = wrapped("FAILED", cause.split(" "), separator=" ")
    if failure.get("fix"):
        lines += wrapped("fix", failure["fix"].split(" "), separator=" ")
    tables = report["tables"].values()
    untrusted = sum(1 for info in tables if "flow" in info)
    if tables and all(info["rows"] is None and "flow" in info for info in tables):
        lines.append(f"{'':<{LABEL}}no table was read back: the run was cut short (flow states below)")
    elif untrusted:
        lines.append(
            f"{'':<{LABEL}}figures only for tables this run completed; {untrusted} of {len(tables)} did not"
        )
    return lines


def selection_lines(report: Mapping[str, Any]) -> list[str]:
    """A selective run (--select) names what it refreshed; the other figures are as they were."""
    if "selection" not in report:
        return []
    kept = [name for name, info in report["tables"].items() if info.get("refreshed") is False]
    lines = wrapped("refreshed", report["selection"])
    return lines + wrapped("as before", [f"{len(kept)} table(s) not refreshed by this run (--select)"])


def wrapped(label: str, items: Iterable[str], separator: str = ", ") -> list[str]:
    """`label` then the items, wrapped at WIDTH under a hanging indent; items are never split."""
    lines: list[str] = []
    current = f"{label:<{LABEL}}"
    fresh = True
    for item in items:
        candidate = item if fresh else separator + item
        if not fresh and len(current) + len(candidate) > WIDTH:
            lines.append(current + separator.rstrip())
            current, candidate = " " * LABEL, item
        current += candidate
        fresh = False
    return [*lines, current.rstrip()]


BALANCED = {True: "yes", False: "NO", None: "-"}
"""How a source's conservation verdict reads."""


def rows_text(report: Mapping[str, Any], table: str) -> str:
    """A table's row count as the report shows it, or why there is none."""
    info = report["tables"].get(table)
    if info is None:
        return "-"
    if "flow" in info:  # not computed by this (failed) run, or not read back after it
        return "not read" if info["flow"] == "COMPLETED" else str(info["flow"]).lower()
    return "missing" if info["rows"] is None else f"{info['rows']:,}"


def row_counts(report: Mapping[str, Any], sources: list[str]) -> list[str]:
    """Per source: rows in each layer, versions collapsed by silver, and bronze = history + quarantine."""
    header = f"{'rows':<{LABEL}}" + "".join(f"{c:>11}" for c in (*LAYER_COLUMNS, "collapsed")) + "  balanced"
    lines = [header]
    for source in sources:
        tables = (
            naming.bronze_table(source),
            naming.history_table(source),
            naming.quarantine_table(source),
            naming.silver_table(source),
        )
        collapsed = report["duplicates"].get(naming.silver_table(source))
        balanced = BALANCED[report["conservation"][source]["balanced"]]
        cells = [rows_text(report, t) for t in tables] + ["-" if collapsed is None else f"{collapsed:,}"]
        lines.append(f"{source:<{LABEL}}" + "".join(f"{c:>11}" for c in cells) + f"  {balanced}")
    return lines


def gold_star(report: Mapping[str, Any]) -> list[str]:
    """Gold tables with their rows; per fact, measure totals and rows on the unknown member."""
    gold = [(name, info) for name, info in report["tables"].items() if info["layer"] == "gold"]
    if not gold:
        return []
    lines = wrapped("gold", (f"{name} {rows_text(report, name)}" for name, _ in gold))
    for fact, figures in report.get("gold", {}).items():
        totals = [f"{m} {v}" for m, v in figures["measures"].items() if v is not None]
        unknown = [f"{d} {n}" for d, n in figures["orphans"].items() if n]
        items = [f"totals {', '.join(totals)}" if totals else "no measures"]
        items.append(f"on the unknown member: {', '.join(unknown)}" if unknown else "no orphans")
        lines += wrapped(fact, items, separator="; ")
    return lines


def rule_results(report: Mapping[str, Any], sources: list[str]) -> list[str]:
    """Failed rows per rule, a line per action; rules that passed on every row are only counted."""
    if not report["rules"]:
        return []
    lines = ["rules       failed rows per rule (drop: to quarantine, warn: kept, fail: stops the update)"]
    for source in sources:
        rules = [r for r in report["rules"] if r["table"] == naming.history_table(source)]
        groups = [
            [f"{r['rule']} {r['failed']:,}" for r in rules if r["action"] == action and r["failed"]]
            for action in ("fail", "drop", "warn")
        ]
        groups = [
            [f"{action} {items[0]}", *items[1:]]
            for action, items in zip(("fail", "drop", "warn"), groups, strict=True)
            if items
        ]
        passed = sum(1 for r in rules if not r["failed"])
        if passed:
            groups.append([f"passed on every row: {passed} rule{'s' if passed > 1 else ''}"])
        for index, items in enumerate(groups):
            lines += wrapped(source if index == 0 else "", items)
    return lines


def quarantine(report: Mapping[str, Any], sources: list[str]) -> list[str]:
    """The rules that sent rows to quarantine, most frequent first."""
    lines = []
    for source in sources:
        reasons = report["quarantine_reasons"].get(naming.quarantine_table(source)) or []
        if reasons:
            lines += wrapped(source, (f"{r['rule']} {r['rows']:,}" for r in reasons))
    return ["quarantine  rows per reason (a row may have several)", *lines] if lines else []


def rescued(report: Mapping[str, Any]) -> list[str]:
    """Bronze records with something kept in `_rescued_data`, per file."""
    items = [
        f"{table} {count:,} in {file.rsplit('/', 1)[-1]}"
        for table, files in (report.get("rescued") or {}).items()
        for file, count in files.items()
    ]
    return wrapped("rescued", items, separator="; ") if items else []


def orphans(report: Mapping[str, Any]) -> list[str]:
    """Silver rows whose foreign key finds no match, per reference."""
    items = [
        f"{o['table']}.{'/'.join(o['columns'])} -> {o['references']} {o['orphans']:,} of {o['checked']:,}"
        for o in report["orphans"]
    ]
    return wrapped("orphans", items, separator="; ") if items else []


def table_checks(report: Mapping[str, Any]) -> list[str]:
    """Whole-table checks with their verdict and evidence."""
    lines = []
    for check in report["table_checks"]:
        verdict = "passed" if check["passed"] else f"FAILED ({check['action']})"
        lines += wrapped("check", [f"{check['table']}.{check['check']} {verdict}: {check['detail']}"])
    return lines
