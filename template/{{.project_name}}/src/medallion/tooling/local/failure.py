"""Why a local pipeline run failed, in one line, and what to change.

Kinds: `out_of_memory` (the driver's heap, with how to raise it), `server_died` (the Spark
Connect server's JVM ended while the run was going), `flow_failed` (a table's flow failed:
its name and the first meaningful error line), `schema_change` (the local metastore refused a
table's new columns: the table, the spec key that shapes it, and the fix), `stalled` (the
process did not end after its server did), `exited` (anything else, with the last meaningful
line).
"""

from __future__ import annotations

import re
import signal
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from medallion.tooling.local.resources import CORES_ENV, MEMORY_ENV

OUT_OF_MEMORY = re.compile(r"java\.lang\.OutOfMemoryError(?::\s*(?P<what>[^\n]*))?|SparkOutOfMemoryError")
_STACK = re.compile(r"^\s*(at |\.\.\. \d+ more|Caused by: \S+$|File \"|Traceback|~~|\^)")
_ERROR = re.compile(r"(Exception|Error)\b|\[[A-Z][A-Z0-9_]{3,}(\.[A-Z0-9_]+)?\]")
_PREFIX = re.compile(
    r"^(\d{4}-\d\d-\d\d[ T][\d:.]+(?:[+-]\d\d:?\d\d|Z)?:?\s*|\d\d:\d\d:\d\d\s+[A-Z]+\s+\S+:\s*)"
)
_NOISE = ("Picked up JAVA_TOOL_OPTIONS", "WARNING: Using incubator modules", "Setting default log level")
MAX_LINE = 300
SCHEMA_CHANGE = re.compile(
    r"CANNOT_MERGE_INCOMPATIBLE_DATA_TYPE|Unable to alter table|incompatible with the existing columns"
)
_TABLE_IN = re.compile(r"(?:alter table|table)\s+`?(?:[\w]+`?\.`?)*(?P<table>\w+)`?", re.IGNORECASE)


@dataclass(frozen=True)
class Failure:
    """What went wrong, in words a user can act on."""

    kind: str
    cause: str
    fix: str
    table: str | None = None
    detail: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in asdict(self).items() if v is not None}


def clean(line: str) -> str:
    """A log line without its timestamp or log4j prefix, cut to MAX_LINE characters."""
    text = _PREFIX.sub("", line.strip())
    return text if len(text) <= MAX_LINE else text[: MAX_LINE - 3] + "..."


def first_error_line(lines: Iterable[str]) -> str | None:
    """The first line that states an error (not a stack frame, not a traceback header)."""
    for line in lines:
        if not line.strip() or _STACK.match(line) or any(n in line for n in _NOISE):
            continue
        if _ERROR.search(line):
            return clean(line)
    return None


def out_of_memory(driver_memory: str, line: str) -> Failure:
    """The driver ran out of heap: say how big it was and how to raise it."""
    match = OUT_OF_MEMORY.search(line)
    what = (match["what"] or "").strip() if match and match["what"] else ""
    raised = _double(driver_memory)
    return Failure(
        "out_of_memory",
        f"the Spark driver ran out of memory ({what or 'OutOfMemoryError'}) with a {driver_memory} heap",
        f"raise it: medallion run-local --driver-memory {raised} (or {MEMORY_ENV}={raised}); "
        f"fewer cores ({CORES_ENV}) also lowers the memory in use",
        detail=clean(line),
    )


PIPELINE_PHASE = "while the pipeline was running"
READBACK_PHASE = "after the pipeline ended, before its tables were all read back"


def server_died(
    returncode: int | None, driver_memory: str, tail: Sequence[str], phase: str = PIPELINE_PHASE
) -> Failure:
    """The Connect server's JVM is gone while the client still waits on it."""
    how = _ended(returncode)
    line = first_error_line(tail)
    return Failure(
        "server_died",
        f"the local Spark server (its JVM) {how} {phase}",
        "if nothing stopped it on purpose, the system may have run out of memory (see `dmesg`): "
        f"lower --driver-memory (now {driver_memory}) or close other programs, then run again",
        detail=line,
    )


def server_lost(
    returncode: int | None, driver_memory: str, tail: Sequence[str], phase: str = PIPELINE_PHASE
) -> Failure:
    """The server is gone: out of memory when its log says so, else died (with how it ended)."""
    oom = next((line for line in tail if OUT_OF_MEMORY.search(line)), None)
    if oom is not None:
        return out_of_memory(driver_memory, oom)
    return server_died(returncode, driver_memory, tail, phase)


def flow_failed(tables: Sequence[str], lines: Sequence[str]) -> Failure:
    """One or more flows failed: the first table and the first error line after its failure."""
    table = tables[0]
    start = next((i for i, line in enumerate(lines) if table in line and "FAILED" in line), 0)
    line = first_error_line(lines[start:]) or first_error_line(lines)
    others = f" (also failed: {', '.join(tables[1:])})" if len(tables) > 1 else ""
    return Failure(
        "flow_failed",
        f"flow {table} failed{others}: {line or 'no error line in the output'}",
        "fix the cause above (the whole output is in the pipeline log), then run again",
        table=table,
        detail=line,
    )


def schema_change(failure: Failure, lines: Sequence[str]) -> Failure:
    """A flow failure or exit whose error is the local metastore refusing new columns becomes a
    `schema_change` naming the table and the spec key that shapes it; others are unchanged."""
    text = " ".join(line for line in lines if SCHEMA_CHANGE.search(line))
    if not text:
        return failure
    named = (
        _TABLE_IN.search(text[text.find("Unable to alter table") :]) if "Unable to alter" in text else None
    )
    table = failure.table or (named["table"] if named else None)
    key = spec_key(table) if table else "medallion.yml"
    return Failure(
        "schema_change",
        f"the local metastore refused new columns of {table or 'a table'} ({key} changed): "
        f"{failure.detail or first_error_line(lines) or 'see the pipeline log'}",
        f"run-local rebuilds the tables whose columns medallion.yml changes; for a change it cannot "
        f"see (code under src/), run `medallion run-local --select {table or '<table>'}+ --full-refresh`; "
        "if that fails too: `medallion server stop`, then delete .medallion/warehouse, "
        ".medallion/metastore_db and .medallion/storage (local tables only; the next run rebuilds them)",
        table=table,
        detail=failure.detail,
    )


def spec_key(table: str) -> str:
    """The spec key that decides a table's columns: its source's columns, or the gold section."""
    for prefix, suffix in (("bronze_", ""), ("quarantine_", ""), ("silver_", "_history"), ("silver_", "")):
        if table.startswith(prefix) and table.endswith(suffix):
            return f"sources.{table[len(prefix) : len(table) - len(suffix) or None]}.columns"
    return "gold"


def stalled(seconds: float) -> Failure:
    return Failure(
        "stalled",
        f"spark-pipelines did not end {seconds:.0f} s after its Spark server did; it was stopped",
        "run again; if it repeats, report it with the pipeline log",
    )


def exited(returncode: int | None, tail: Sequence[str]) -> Failure:
    line = first_error_line(tail)
    return Failure(
        "exited",
        f"spark-pipelines {_ended(returncode)}: {line or 'no error line in the output'}",
        "see the pipeline log for the whole output",
        detail=line,
    )


def _ended(returncode: int | None) -> str:
    if returncode is None:
        return "ended"
    if returncode < 0:
        try:
            name = signal.Signals(-returncode).name
        except ValueError:
            name = f"signal {-returncode}"
        return f"was killed ({name})"
    if returncode > 128:
        return f"exited with {returncode} (killed by signal {returncode - 128}?)"
    return f"exited with {returncode}"


def _double(size: str) -> str:
    match = re.match(r"^(\d+)([a-z]*)$", size.strip().lower())
    if not match:
        return "4g"
    return f"{int(match[1]) * 2}{match[2]}"
