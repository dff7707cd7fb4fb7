"""Classify pipeline failures: one table of rules, each with its explanation and fix."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Literal

from databricks.sdk.service.pipelines import PipelineEvent

FixKind = Literal["retry", "grant", "full_refresh"]
SETUP_SQL = "sql/setup.sql"
_STACK_LINE = re.compile(r"^\s*(at |\.\.\. \d+ more|File \"|\^+$)")


@dataclass(frozen=True)
class Failure:
    """What one ERROR event says: its message, exceptions and where it happened."""

    message: str
    exceptions: tuple[tuple[str, str], ...] = ()
    dataset: str | None = None
    flow: str | None = None
    event_id: str | None = None

    @classmethod
    def from_event(cls, event: PipelineEvent) -> Failure:
        exceptions = tuple(
            (e.class_name or "", e.message or "") for e in ((event.error and event.error.exceptions) or [])
        )
        origin = event.origin
        return cls(
            message=event.message or "",
            exceptions=exceptions,
            dataset=origin.dataset_name if origin else None,
            flow=origin.flow_name if origin else None,
            event_id=event.id,
        )

    @property
    def text(self) -> str:
        parts = [self.message]
        for class_name, message in self.exceptions:
            parts += [class_name, message]
        return "\n".join(p for p in parts if p)

    def first_lines(self, limit: int = 4, width: int = 240) -> tuple[str, ...]:
        """The first meaningful lines: messages and exception heads, never stack frames."""
        candidates = self.message.splitlines()
        for class_name, message in self.exceptions:
            head = next((line for line in message.splitlines() if line.strip()), "")
            candidates.append(f"{class_name}: {head}" if class_name else head)
        lines: list[str] = []
        for line in candidates:
            line = line.strip()
            if line and not _STACK_LINE.match(line) and line not in lines:
                lines.append(line if len(line) <= width else line[: width - 3] + "...")
        return tuple(lines[:limit])


Extractor = Callable[[Failure, "re.Match[str]"], dict[str, Any]]


@dataclass(frozen=True)
class Rule:
    """One known cause: how to recognise it, what it means and how to fix it."""

    cause: str
    pattern: re.Pattern[str]
    explanation: str
    fix: str
    fix_kind: FixKind | None
    extract: Extractor | None = None


@dataclass(frozen=True)
class Diagnosis:
    """A classified failure, ready to print or to act on."""

    cause: str
    explanation: str
    fix: str
    fix_kind: FixKind | None
    tables: tuple[str, ...] = ()
    evidence: tuple[str, ...] = ()
    event_id: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "cause": self.cause,
            "explanation": self.explanation,
            "fix": self.fix,
            "automatic_fix": self.fix_kind,
            "tables": list(self.tables),
            "evidence": list(self.evidence),
            "event_id": self.event_id,
            "details": self.details,
        }


def _named_dataset(failure: Failure, match: re.Match[str]) -> dict[str, Any]:
    names = re.findall(r"(?:Flow|flow|table|dataset) '([A-Za-z0-9_.`]+)'", failure.text)
    names += [n for n in (failure.dataset, failure.flow) if n]
    tables = list(dict.fromkeys(n.replace("`", "").split(".")[-1] for n in names))
    return {"tables": tables, "names": ", ".join(tables) or "the failing streaming table"}


def _permission(failure: Failure, match: re.Match[str]) -> dict[str, Any]:
    found = re.search(
        r"does not have (?P<privilege>[A-Z_ ]+?) on (?P<kind>\w+) '(?P<name>[^']+)'", failure.text
    )
    if not found:
        return {"grant": "the privileges listed in " + SETUP_SQL}
    kind, name = found["kind"].upper(), found["name"]
    quoted = ".".join(f"`{part}`" for part in name.split("."))
    return {
        "privilege": found["privilege"],
        "securable": f"{kind} {name}",
        "grant": f"GRANT {found['privilege']} ON {kind} {quoted} TO `<run-as principal>`",
    }


def _missing_object(failure: Failure, match: re.Match[str]) -> dict[str, Any]:
    found = re.search(r"(`[^`]+`(?:\.`[^`]+`)*)|Path does not exist: (\S+)", failure.text)
    name = (found.group(1) or found.group(2)) if found else "(not named)"
    return {"object": name.replace("`", "")}


def _expectation(failure: Failure, match: re.Match[str]) -> dict[str, Any]:
    flow = re.search(r"Flow '([^']+)' failed to meet the expectation", failure.text)
    rules = re.search(r"Violated expectations: '([^']+)'", failure.text)
    dataset = flow.group(1) if flow else (failure.dataset or "(not named)")
    rule_names = [r.strip() for r in rules.group(1).split(",")] if rules else []
    return {"tables": [dataset], "dataset": dataset, "rules": ", ".join(rule_names) or "(not named)"}


def _cast(failure: Failure, match: re.Match[str]) -> dict[str, Any]:
    found = re.search(
        r"The value '(?P<value>[^']*)' of the type \"(?P<source>[^\"]+)\" cannot be cast to "
        r"\"(?P<target>[^\"]+)\"",
        failure.text,
    )
    what = f"'{found['value']}' ({found['source']} -> {found['target']})" if found else match.group(0)
    return {"value": what, "error": match.group(0)}


RULES: tuple[Rule, ...] = (
    Rule(
        "permission_denied",
        re.compile(
            r"INSUFFICIENT_PERMISSIONS|PERMISSION_DENIED|Insufficient privileges|AccessDenied|"
            r"403 Forbidden|does not have [A-Z_ ]+ on \w+ '"
        ),
        "The pipeline's run-as identity lacks a privilege on a catalog, schema, table or volume.",
        "Run the grants in " + SETUP_SQL + " as an owner (`medallion deploy --setup-sql`), or ask an "
        "admin to run: {grant}",
        "grant",
        _permission,
    ),
    Rule(
        "expectation_violation",
        re.compile(r"EXPECTATION_VIOLATION"),
        "Rows broke a rule whose action is `fail`, so the flow stopped.",
        "Fix the source rows (the event shows one) or change the action of {rules} on {dataset} to `drop` "
        "(quarantine) or `warn` in medallion.yml.",
        None,
        _expectation,
    ),
    Rule(
        "incompatible_source_change",
        re.compile(
            r"DIFFERENT_DELTA_TABLE_READ_BY_STREAMING_SOURCE|DELTA_SCHEMA_CHANGED\w*|"
            r"DELTA_STREAMING_INCOMPATIBLE_SCHEMA_CHANGE\w*|DELTA_SOURCE_TABLE_IGNORE_CHANGES|"
            r"DELTA_SOURCE_IGNORE_DELETE"
        ),
        "A streaming table's source was replaced, rewritten or changed its schema incompatibly; the "
        "stream's checkpoint no longer matches it.",
        "Full refresh of only the affected tables: {names} "
        "(`medallion deploy --allow-full-refresh`, or "
        "`medallion monitor --start --full-refresh-selection ...`).",
        "full_refresh",
        _named_dataset,
    ),
    Rule(
        "new_source_columns",
        re.compile(r"UNKNOWN_FIELD_EXCEPTION|UnknownFieldException"),
        "Auto Loader found new columns and stopped the stream to evolve the schema (addNewColumns).",
        "Run the update again: the restarted stream picks the new columns up. Add them to medallion.yml "
        "to type them.",
        "retry",
    ),
    Rule(
        "table_or_view_not_found",
        re.compile(
            r"TABLE_OR_VIEW_NOT_FOUND|TABLE_NOT_FOUND|SCHEMA_NOT_FOUND|CATALOG_NOT_FOUND|PATH_NOT_FOUND|"
            r"Table or view not found|Path does not exist"
        ),
        "A table, view, schema or path the pipeline reads does not exist (or is invisible to its identity).",
        "Check that {object} exists, the spelling in medallion.yml, and the `medallion.source_location` / "
        "catalog variables of the target in databricks.yml.",
        None,
        _missing_object,
    ),
    Rule(
        "cast_error",
        re.compile(
            r"CAST_INVALID_INPUT|CAST_OVERFLOW|NUMERIC_VALUE_OUT_OF_RANGE|ARITHMETIC_OVERFLOW|"
            r"DIVIDE_BY_ZERO|DATETIME_FIELD_OUT_OF_BOUNDS|CANNOT_PARSE_TIMESTAMP|"
            r"INVALID_FRACTION_OF_SECOND|CANNOT_PARSE_DECIMAL"
        ),
        "A value does not fit its declared type under ANSI SQL ({error}).",
        "Correct the value {value} at the source, or change the column's type in medallion.yml; add a rule "
        "so such rows go to quarantine instead of failing the flow.",
        None,
        _cast,
    ),
    Rule(
        "quota_or_compute",
        re.compile(
            r"QUOTA_EXCEEDED|RESOURCE_EXHAUSTED|REQUEST_LIMIT_EXCEEDED|CLOUD_PROVIDER_LAUNCH_FAILURE|"
            r"INSUFFICIENT_INSTANCE_CAPACITY|CLUSTER_LAUNCH\w*|Failed to (?:start|launch) (?:the )?cluster|"
            r"BUDGET_POLICY\w*"
        ),
        "Compute for the update could not start: a quota, capacity or budget-policy limit.",
        "Check the workspace's serverless and compute quotas and the pipeline's budget policy; run again "
        "later or ask an admin for a quota increase.",
        None,
    ),
    Rule(
        "transient",
        re.compile(
            r"INTERNAL_ERROR|TEMPORARILY_UNAVAILABLE|SERVICE_UNAVAILABLE|DRIVER_UNAVAILABLE|"
            r"DRIVER_UNRESPONSIVE|SocketTimeoutException|Connection reset|ConnectException|"
            r"driver has stopped unexpectedly|RPC token bucket",
            re.IGNORECASE,
        ),
        "A transient platform or network error.",
        "Run the update again.",
        "retry",
    ),
)

UNKNOWN = Rule(
    "unknown",
    re.compile(""),
    "An error the monitor does not recognise.",
    "Read the lines below and the pipeline's event log (Pipelines UI, or the published event-log table).",
    None,
)


def classify(failure: Failure) -> Diagnosis:
    """The first rule whose pattern matches the failure, or UNKNOWN."""
    text = failure.text
    for rule in RULES:
        match = rule.pattern.search(text)
        if match:
            return _diagnose(rule, failure, match)
    return _diagnose(UNKNOWN, failure, None)


def _diagnose(rule: Rule, failure: Failure, match: re.Match[str] | None) -> Diagnosis:
    details = rule.extract(failure, match) if rule.extract and match else {}
    tables = tuple(details.pop("tables", ()))
    return Diagnosis(
        cause=rule.cause,
        explanation=rule.explanation.format(**details),
        fix=rule.fix.format(**details),
        fix_kind=rule.fix_kind,
        tables=tables,
        evidence=failure.first_lines(),
        event_id=failure.event_id,
        details=details,
    )


def diagnose_events(events: Iterable[PipelineEvent]) -> list[Diagnosis]:
    """One diagnosis per distinct classified cause; unknown errors only when nothing is classified."""
    diagnoses = [classify(Failure.from_event(e)) for e in events]
    known = [d for d in diagnoses if d.cause != UNKNOWN.cause]
    unique: dict[tuple[str, tuple[str, ...]], Diagnosis] = {}
    for diagnosis in known or diagnoses[:1]:
        unique.setdefault((diagnosis.cause, diagnosis.tables), diagnosis)
    return list(unique.values())


def diagnose_state(state: str, has_error_events: bool) -> list[Diagnosis]:
    """Diagnoses an update's final state gives when its events say nothing."""
    if state == "CANCELED":
        return [
            Diagnosis(
                "canceled",
                "The update was canceled (by a user, a newer update or the job).",
                "Start it again when nothing else runs the pipeline.",
                None,
            )
        ]
    if state == "FAILED" and not has_error_events:
        return [
            Diagnosis(
                "failed_without_error_event",
                "The update failed but logged no ERROR event.",
                "Open the update in the Pipelines UI; the failure may be in pipeline set-up.",
                None,
            )
        ]
    return []
