"""`medallion dev`: watch medallion.yml and src/, rerun what an edit changed on the warm server,
and print what moved in counts, rules and quarantine since the previous run. Ctrl-C stops it."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from medallion.context import SettingsError
from medallion.monitor.local_report import DEFAULT_LOCAL_REPORT
from medallion.spec import Spec, SpecError, load_spec
from medallion.tooling.local.changes import Plan, differences, plan
from medallion.tooling.local.connect_server import ServerError
from medallion.tooling.local.project import LocalProject
from medallion.tooling.local.report_html import write_page
from medallion.tooling.local.resources import ResourceError, resolve
from medallion.tooling.local.runner import run_local, write_report

POLL_S = 0.5
SETTLE_S = 0.3  # editors write in steps: wait until the files stop changing


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--source", type=Path, help="source data folder (as for run-local)")
    parser.add_argument(
        "--project", type=Path, help="project folder (default: the one holding medallion.yml)"
    )
    parser.add_argument("--runs", type=int, help="stop after this many runs (default: until Ctrl-C)")


def watched(project: LocalProject) -> Iterator[Path]:
    """medallion.yml and the Python and SQL files under src/."""
    yield project.spec_path
    for path in project.src.rglob("*"):
        if path.suffix in (".py", ".sql", ".yml", ".yaml") and "__pycache__" not in path.parts:
            yield path


def snapshot(project: LocalProject) -> dict[Path, int]:
    found = {}
    for path in watched(project):
        try:
            found[path] = path.stat().st_mtime_ns
        except OSError:
            continue
    return found


def wait_for_change(project: LocalProject, before: dict[Path, int]) -> tuple[dict[Path, int], set[Path]]:
    """Block until a watched file changes (and settles); return the new state and the changes."""
    while True:
        time.sleep(POLL_S)
        now = snapshot(project)
        if now != before:
            time.sleep(SETTLE_S)
            now = snapshot(project)
            changed = {p for p in set(now) | set(before) if now.get(p) != before.get(p)}
            return now, changed


def rerun(project: LocalProject, args: argparse.Namespace, step: Plan) -> dict[str, Any]:
    label = ", ".join(step.select) if step.select else "everything"
    print(f"-- rerun: {label} ({step.why})", flush=True)
    report = run_local(
        project,
        source=args.source,
        resources=resolve(),
        selected=step.select,
        full_refresh=step.full_refresh,
        echo=lambda line: print(line, flush=True),
    )
    write_report(report, project.root / DEFAULT_LOCAL_REPORT)
    write_page(report, load_spec(project.spec_path), project.root / DEFAULT_LOCAL_REPORT.parent)
    return report


def run(args: argparse.Namespace) -> int:
    try:
        project = LocalProject.find(args.project)
        spec: Spec | None = load_spec(project.spec_path)
    except (SpecError, FileNotFoundError) as error:
        print(error, file=sys.stderr)
        return 2
    state = snapshot(project)
    assert spec is not None
    step, previous, runs = plan(None, spec), None, 0
    print(f"watching {project.spec_path.name} and src/ (Ctrl-C stops)", flush=True)
    try:
        while True:
            try:
                report = rerun(project, args, step)
            except (SpecError, SettingsError, ResourceError, FileNotFoundError, ServerError) as error:
                print(f"-- not run: {error}", flush=True)
            else:
                print(
                    f"-- {report['status']} in {report['duration_s']} s; since the previous run:", flush=True
                )
                print("\n".join(differences(previous, report) or ["  (first run)"]), flush=True)
                previous = report
            runs += 1
            if args.runs and runs >= args.runs:
                return 0
            state, changed = wait_for_change(project, state)
            step = _next_step(project, spec, changed)
            spec = _load_or_none(project) or spec
    except KeyboardInterrupt:
        print("\nstopped watching (the project's Spark server stays warm; `medallion server stop` stops it)")
        return 0


def _load_or_none(project: LocalProject) -> Spec | None:
    try:
        return load_spec(project.spec_path)
    except SpecError:
        return None


def _next_step(project: LocalProject, spec: Spec | None, changed: set[Path]) -> Plan:
    """What to rerun for these changed files (a spec that does not load is rerun to show why)."""
    code = any(p != project.spec_path for p in changed)
    new = _load_or_none(project)
    if new is None:
        return Plan((), False, "medallion.yml does not load")
    return plan(spec, new, code_changed=code)
