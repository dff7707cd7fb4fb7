"""The run report: row counts per layer, rule results, quarantine reasons, duplicates, orphans.

`build_report` returns the dict of docs/CONTRACTS.md (plus extra keys); the monitor judges the
same dict; `medallion.local.report_text` renders it for a terminal.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable, Mapping
from typing import Any

from medallion import naming, quality
from medallion.spec.model import Spec

ReadTable = Callable[[str], Any]
GOLD_METRICS_MODULE = "medallion.gold.metrics"
COMPLETED, FAILED = "COMPLETED", "FAILED"
NOT_RUN = "not run"
NOT_READ = "not read: the run was stopped before it ended"


def count_tables(read: ReadTable, spec: Spec) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Rows per expected table; unreadable tables get rows None and an error."""
    tables: dict[str, dict[str, Any]] = {}
    errors: list[str] = []
    for name, layer in naming.expected_tables(spec).items():
        try:
            tables[name] = {"rows": int(read(name).count()), "layer": layer}
        except Exception as error:  # any failure to read it means the table is missing
            first = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
            tables[name] = {"rows": None, "layer": layer, "error": first}
            errors.append(f"{name}: {first}")
    return tables, errors


def _trusted_rows(tables: Mapping[str, Mapping[str, Any]], name: str) -> int | None:
    """Rows of a table this run computed (None when it failed, did not run or was not read)."""
    info = tables.get(name, {})
    return None if info.get("flow") not in (None, COMPLETED) else info.get("rows")


def conservation(spec: Spec, tables: Mapping[str, Mapping[str, Any]]) -> dict[str, dict[str, Any]]:
    """rows(bronze) = rows(history) + rows(quarantine) per source; `balanced` is None (unknown)
    unless this run computed all three tables."""
    result = {}
    for source in spec.source_names:
        counts = {
            "bronze": _trusted_rows(tables, naming.bronze_table(source)),
            "history": _trusted_rows(tables, naming.history_table(source)),
            "quarantine": _trusted_rows(tables, naming.quarantine_table(source)),
        }
        known = None not in counts.values()
        balanced = counts["bronze"] == counts["history"] + counts["quarantine"] if known else None  # type: ignore[operator]
        result[source] = counts | {"balanced": balanced}
    return result


def duplicates(spec: Spec, tables: Mapping[str, Mapping[str, Any]]) -> dict[str, int]:
    """Versions that silver collapsed: rows(history) - rows(silver)."""
    result = {}
    for source in spec.source_names:
        history, current = (
            _trusted_rows(tables, naming.history_table(source)),
            _trusted_rows(tables, naming.silver_table(source)),
        )
        if history is not None and current is not None:
            result[naming.silver_table(source)] = history - current
    return result


def gold_metrics(spark: Any, spec: Spec, read: ReadTable) -> Any:
    """The gold layer's own figures, when medallion.gold.metrics provides gold_metrics()."""
    if importlib.util.find_spec(GOLD_METRICS_MODULE) is None:
        return None
    return importlib.import_module(GOLD_METRICS_MODULE).gold_metrics(spark, spec, read)


def quality_figures(spark: Any, spec: Spec, read: ReadTable, readable: set[str]) -> dict[str, Any]:
    """Rules, quarantine reasons, orphans and table checks for every readable source."""
    figures: dict[str, Any] = {"rules": [], "quarantine_reasons": {}, "orphans": [], "table_checks": []}
    for source in spec.sources:
        if naming.bronze_table(source.name) in readable:
            figures["rules"] += quality.rule_counts(read(naming.bronze_table(source.name)), source)
        quarantine = naming.quarantine_table(source.name)
        if quarantine in readable:
            figures["quarantine_reasons"][quarantine] = quality.quarantine_reasons(read(quarantine), source)
        silver = naming.silver_table(source.name)
        if silver not in readable:
            continue
        if all(naming.silver_table(r.table) in readable for r in source.references):
            figures["orphans"] += quality.orphans(read, spec, source)
        figures["table_checks"] += [quality.table_check(read, source, c) for c in source.table_checks]
    return figures


def build_report(
    spark: Any,
    spec: Spec,
    read_table: ReadTable | None = None,
    *,
    flows: Mapping[str, str] | None = None,
    duration_s: float = 0.0,
    pipeline_ok: bool = True,
    errors: list[str] | None = None,
    failure: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """Query every expected table and judge the run (FAILED on a failed flow, missing table,
    failed `fail` rule or failed `fail` table check).

    After a failed run, a table whose flow did not complete is marked with its flow state
    (`flow`: FAILED or "not run") and nothing is computed from it: no balance, no rule, no check.
    """
    read = read_table or spark.read.table
    tables, table_errors = count_tables(read, spec)
    if not pipeline_ok:
        for name, info in tables.items():
            state = (flows or {}).get(name, NOT_RUN)
            if state != COMPLETED:
                info["flow"] = state
    readable = {name for name, info in tables.items() if info["rows"] is not None and "flow" not in info}
    figures = quality_figures(spark, spec, read, readable)
    problems = [*(errors or []), *table_errors]
    problems += [f"flow {name} FAILED" for name, state in (flows or {}).items() if state == "FAILED"]
    problems += [
        f"fail rule {r['rule']} on {r['table']}: {r['failed']} row(s)"
        for r in figures["rules"]
        if r["action"] == "fail" and r["failed"]
    ]
    problems += [
        f"fail check {c['check']} on {c['table']}: {c['detail']}"
        for c in figures["table_checks"]
        if c["action"] == "fail" and not c["passed"]
    ]
    report = {
        "status": COMPLETED if pipeline_ok and not problems else FAILED,
        **({"failure": dict(failure)} if failure else {}),
        "duration_s": round(duration_s, 1),
        "tables": tables,
        "rules": figures["rules"],
        "duplicates": duplicates(spec, tables),
        "conservation": conservation(spec, tables),
        "quarantine_reasons": figures["quarantine_reasons"],
        "orphans": figures["orphans"],
        "table_checks": figures["table_checks"],
        "flows": dict(flows or {}),
        "errors": problems,
    }
    gold = gold_metrics(spark, spec, read) if pipeline_ok and not table_errors else None
    if gold is not None:
        report["gold"] = gold
    return report


def stopped_report(
    spec: Spec,
    *,
    flows: Mapping[str, str] | None = None,
    failure: Mapping[str, Any] | None = None,
    errors: list[str] | None = None,
    duration_s: float = 0.0,
) -> dict[str, Any]:
    """The report of a run that was cut short (its Spark server died or ran out of memory):
    nothing is read back, so every figure is unknown and the failure leads."""
    flows = dict(flows or {})
    tables = {
        name: {"rows": None, "layer": layer, "flow": flows.get(name, NOT_RUN), "error": NOT_READ}
        for name, layer in naming.expected_tables(spec).items()
    }
    return {
        "status": FAILED,
        **({"failure": dict(failure)} if failure else {}),
        "duration_s": round(duration_s, 1),
        "tables": tables,
        "rules": [],
        "duplicates": {},
        "conservation": conservation(spec, tables),
        "quarantine_reasons": {},
        "orphans": [],
        "table_checks": [],
        "flows": flows,
        "errors": list(errors or []),
    }
