"""Automatic fixes for classified failures, each recorded in .medallion/fix-log.jsonl."""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medallion.monitor.redact import redact_all
from medallion.monitor.warehouse import SqlError, Warehouse
from medallion.tooling.deploy_loop.setup_sql import SETUP_SQL, run_setup

FIX_LOG = Path(".medallion") / "fix-log.jsonl"


@dataclass(frozen=True)
class Fix:
    """What to do before the next attempt: rerun the job, or a full refresh of some tables."""

    kind: str
    tables: tuple[str, ...] = ()


def log_fix(project: Path, entry: dict[str, Any]) -> None:
    path = project / FIX_LOG
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as log:
        log.write(json.dumps(redact_all({"time": time.strftime("%Y-%m-%dT%H:%M:%S%z"), **entry})) + "\n")


def choose_fix(diagnoses: list[dict[str, Any]], allow_full_refresh: bool) -> tuple[Fix | None, str]:
    """The one fix to apply next (grant > full refresh > retry), or None and why not."""
    kinds = {d["automatic_fix"]: d for d in diagnoses if d.get("automatic_fix")}
    if "grant" in kinds:
        return Fix("grant"), kinds["grant"]["fix"]
    if "full_refresh" in kinds:
        tables = tuple(t for d in diagnoses if d.get("automatic_fix") == "full_refresh" for t in d["tables"])
        if not allow_full_refresh:
            return (
                None,
                f"a full refresh of {', '.join(tables)} would fix it: rerun with --allow-full-refresh",
            )
        return Fix("full_refresh", tables), kinds["full_refresh"]["fix"]
    if "retry" in kinds:
        return Fix("retry"), kinds["retry"]["fix"]
    return None, "no automatic fix for: " + ", ".join(
        d["cause"] for d in diagnoses
    ) if diagnoses else "no diagnosis"


def apply_grants(warehouse: Warehouse | None, project: Path) -> tuple[bool, str]:
    """Run sql/setup.sql; when the caller may not grant, say so and show the SQL for an admin."""
    path = project / SETUP_SQL
    if warehouse is None or not path.is_file():
        return False, f"cannot run {SETUP_SQL} (needs the file and --warehouse-id)"
    try:
        run_setup(warehouse, path)
    except SqlError as error:
        return False, (
            f"you may not grant these privileges ({error.code}: {error.message.splitlines()[0]}); "
            f"ask an admin to run {path}:\n{path.read_text()}"
        )
    return True, f"ran {path}"
