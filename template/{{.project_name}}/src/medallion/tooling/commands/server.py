"""`medallion server status|stop`: the project's warm Spark server (tooling/local/connect_server.py)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from medallion.spec import SpecError
from medallion.tooling.local import connect_server as server
from medallion.tooling.local.project import LocalProject


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("action", choices=["status", "stop"], help="show the server, or stop it now")
    parser.add_argument(
        "--project", type=Path, help="project folder (default: the one holding medallion.yml)"
    )


def run(args: argparse.Namespace) -> int:
    try:
        project = LocalProject.find(args.project)
    except (SpecError, FileNotFoundError) as error:
        print(error, file=sys.stderr)
        return 2
    if args.action == "stop":
        if not server.stop(project):
            print("the project's Spark server is not running")
        return 0
    state = server.status(project)
    if not state["running"]:
        last = f" (last stop: {state['last_exit']})" if state.get("last_exit") else ""
        print(f"not running{last}; `medallion run-local` starts it")
        return 0
    print(
        f"running: pid {state['pid']}, {state['url']}, idle {state['idle_s']:.0f} s, "
        f"stops after {state['stops_after_idle_s']:.0f} s idle; log {state['log']}"
    )
    return 0
