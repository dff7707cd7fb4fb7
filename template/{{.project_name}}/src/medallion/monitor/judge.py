"""Criteria -> verdict, shared by the remote and the local monitor.

Both modes first build the same report dict (docs/CONTRACTS.md: status, tables, rules,
duplicates, optional orphans); this module judges it against the spec. The remote mode adds
criteria only a workspace can answer (pipeline state, error events, readability).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from medallion import naming
from medallion.spec.model import Spec

SUCCESS, FAILED, TIMEOUT = "SUCCESS", "FAILED", "TIMEOUT"
EXIT_CODES = {SUCCESS: 0, FAILED: 1, TIMEOUT: 3}


@dataclass(frozen=True)
class Criterion:
    """One success criterion and whether the run met it."""

    name: str
    ok: bool
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {"name": self.name, "ok": self.ok, "detail": self.detail}


def source_of(table: str, spec: Spec) -> str | None:
    """The source table a bronze/silver/quarantine table (or the source name itself) belongs to."""
    for source in spec.source_names:
        names = {
            source,
            naming.bronze_table(source),
            naming.history_table(source),
            naming.quarantine_table(source),
            naming.silver_table(source),
        }
        if table in names:
            return source
    return None


def _percent(part: float, whole: float) -> str:
    return f"{part:,.0f} of {whole:,.0f} ({part / whole:.1%})"


def status_criterion(status: str) -> Criterion:
    return Criterion("update completed", status == "COMPLETED", f"status {status}")


def presence_criterion(expected: Iterable[str], present: Iterable[str]) -> Criterion:
    missing = sorted(set(expected) - set(present))
    detail = f"missing: {', '.join(missing)}" if missing else "every expected table exists"
    return Criterion("expected tables present", not missing, detail)


def quarantine_criteria(report: dict[str, Any], spec: Spec) -> list[Criterion]:
    """Share of bronze rows that went to quarantine, per source, against max_quarantine_fraction."""
    rows = {name: info.get("rows") for name, info in report.get("tables", {}).items()}
    criteria = []
    for source in spec.sources:
        limit = source.thresholds.max_quarantine_fraction
        bronze = rows.get(naming.bronze_table(source.name))
        quarantined = rows.get(naming.quarantine_table(source.name))
        if limit is None or not bronze or quarantined is None:
            continue
        fraction = quarantined / bronze
        criteria.append(
            Criterion(
                f"quarantine share of {source.name}",
                fraction <= limit,
                f"{_percent(quarantined, bronze)} rows quarantined; limit {limit:.1%}",
            )
        )
    return criteria


def warning_criteria(report: dict[str, Any], spec: Spec) -> list[Criterion]:
    """Worst share of rows failing a `warn` rule, per source, against max_warning_fraction."""
    worst: dict[str, tuple[float, dict[str, Any]]] = {}
    for rule in report.get("rules", []):
        source = source_of(rule["table"], spec)
        checked = rule["passed"] + rule["failed"]
        if rule.get("action") != "warn" or source is None or not checked:
            continue
        fraction = rule["failed"] / checked
        if source not in worst or fraction > worst[source][0]:
            worst[source] = (fraction, rule)
    criteria = []
    for source, (fraction, rule) in worst.items():
        limit = spec.source(source).thresholds.max_warning_fraction
        if limit is None:
            continue
        checked = rule["passed"] + rule["failed"]
        criteria.append(
            Criterion(
                f"warnings in {source}",
                fraction <= limit,
                f"worst rule {rule['rule']}: {_percent(rule['failed'], checked)} rows; limit {limit:.1%}",
            )
        )
    return criteria


def orphan_criteria(report: dict[str, Any], spec: Spec) -> list[Criterion]:
    """Share of rows whose reference finds no match, against max_orphan_fraction."""
    limited = [s for s in spec.sources if s.references and s.thresholds.max_orphan_fraction is not None]
    if not limited:
        return []
    if "orphans" not in report:
        return [Criterion("orphan references", True, "not measured (the report has no orphan counts)")]
    criteria = []
    for entry in report["orphans"]:
        source = source_of(entry["table"], spec)
        limit = spec.source(source).thresholds.max_orphan_fraction if source else None
        rows = entry["checked"]
        if limit is None or not rows:
            continue
        fraction = entry["orphans"] / rows
        criteria.append(
            Criterion(
                f"orphans {entry['table']}.{'/'.join(entry['columns'])} -> {entry['references']}",
                fraction <= limit,
                f"{_percent(entry['orphans'], rows)} rows; limit {limit:.1%}",
            )
        )
    return criteria


NOTHING_INGESTED = "rows ingested"


def ingestion_criteria(report: dict[str, Any], spec: Spec) -> list[Criterion]:
    """A completed update whose bronze tables are empty is not a failure (a first update on an
    empty landing zone), but it is said plainly: "no rows ingested yet", and from which sources."""
    rows = {name: info.get("rows") for name, info in report.get("tables", {}).items()}
    empty = [s for s in spec.source_names if rows.get(naming.bronze_table(s)) == 0]
    if report.get("status") != "COMPLETED" or not empty:
        return []
    if len(empty) == len(spec.source_names):
        detail = (
            "no rows ingested yet: every source is empty; land files (or records) for each source "
            "table, then run the job again"
        )
    else:
        detail = f"no rows ingested yet from {', '.join(empty)}"
    return [Criterion(NOTHING_INGESTED, True, detail)]


def notes(criteria: Iterable[dict[str, Any]]) -> list[str]:
    """What a reader must see even in a brief report: criteria that pass but say something."""
    return [c["detail"] for c in criteria if c["name"] == NOTHING_INGESTED]


def report_criteria(report: dict[str, Any], spec: Spec) -> list[Criterion]:
    """Every criterion a report alone can answer: status, tables present, data quality."""
    return [
        status_criterion(report["status"]),
        presence_criterion(naming.expected_tables(spec), report.get("tables", {})),
        *quarantine_criteria(report, spec),
        *warning_criteria(report, spec),
        *orphan_criteria(report, spec),
        *ingestion_criteria(report, spec),
    ]


def verdict(criteria: Iterable[Criterion], timed_out: bool = False) -> str:
    if timed_out:
        return TIMEOUT
    return SUCCESS if all(c.ok for c in criteria) else FAILED


def conclude(
    report: dict[str, Any],
    criteria: list[Criterion],
    diagnoses: list[dict[str, Any]],
    timed_out: bool = False,
) -> dict[str, Any]:
    """The report with its criteria, verdict and diagnoses added."""
    return {
        **report,
        "criteria": [c.as_dict() for c in criteria],
        "verdict": verdict(criteria, timed_out),
        "diagnoses": diagnoses,
    }
