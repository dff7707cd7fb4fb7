"""`medallion run-local`: run the pipeline on local Apache Spark and print a report."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from medallion.context import SettingsError
from medallion.monitor.local_report import DEFAULT_LOCAL_REPORT
from medallion.spec import SpecError, load_spec
from medallion.tooling.local.connect_server import ServerError
from medallion.tooling.local.project import LocalProject
from medallion.tooling.local.remote_server import RemoteError
from medallion.tooling.local.report_html import write_page
from medallion.tooling.local.resources import CORES_ENV, MEMORY_ENV, ResourceError, resolve
from medallion.tooling.local.run_report_text import format_report
from medallion.tooling.local.runner import run_local, write_report
from medallion.tooling.local.selection import SelectionError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--full-refresh", action="store_true", help="reset every table and reprocess all data"
    )
    parser.add_argument(
        "--report-json",
        type=Path,
        help=f"also write the report as JSON here (it is always written to {DEFAULT_LOCAL_REPORT})",
    )
    parser.add_argument(
        "--source",
        type=Path,
        help="source data folder, one subfolder per source table: <root>/<table>/ (default: fixtures/sample)",
    )
    parser.add_argument(
        "--project", type=Path, help="project folder (default: the one holding medallion.yml)"
    )
    parser.add_argument(
        "--driver-memory",
        help=f"Spark driver heap, e.g. 4g (default: ${MEMORY_ENV}, else a quarter of the machine, 1g-8g)",
    )
    parser.add_argument(
        "--cores", type=int, help=f"cores Spark uses (default: ${CORES_ENV}, else every core of the machine)"
    )
    parser.add_argument(
        "--select",
        action="append",
        default=[],
        metavar="TABLE[+]",
        help="refresh only this table (TABLE+: and every table that depends on it); repeatable",
    )
    parser.add_argument(
        "--cold",
        action="store_true",
        help="restart the project's Spark server first (it otherwise stays warm between runs)",
    )
    parser.add_argument(
        "--remote",
        metavar="sc://HOST:PORT",
        help="run on this Spark Connect server, not the project's own (it must see the project's files)",
    )
    parser.add_argument(
        "--database", help="with --remote: the database of the tables (default: the project's name)"
    )


def run(args: argparse.Namespace) -> int:
    try:
        resources = resolve(getattr(args, "driver_memory", None), getattr(args, "cores", None))
        project = LocalProject.find(args.project)
        if args.database and not args.remote:
            raise RemoteError("--database goes with --remote (the project's own server uses `default`)")
        report = run_local(
            project,
            full_refresh=args.full_refresh,
            source=args.source,
            resources=resources,
            selected=args.select,
            remote=args.remote,
            database=args.database,
            cold=args.cold,
        )
    except (SpecError, SettingsError, ResourceError, FileNotFoundError, SelectionError, RemoteError) as error:
        print(error, file=sys.stderr)
        return 2
    except ServerError as error:
        print(error, file=sys.stderr)
        return 1
    # Where `medallion monitor --local` reads it, whatever --report-json says.
    write_report(report, project.root / DEFAULT_LOCAL_REPORT)
    page = write_page(report, load_spec(project.spec_path), project.root / DEFAULT_LOCAL_REPORT.parent)
    print(format_report(report, page.relative_to(project.root)))
    if args.report_json:
        write_report(report, args.report_json)
    return 0 if report["status"] == "COMPLETED" else 1
