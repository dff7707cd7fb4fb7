"""The `medallion` command: one subcommand per module, imported only when used.

Runtime commands (`monitor`, `sample-data`, `landing-folders`: the job's wheel tasks) live in
`medallion.commands` and ship in the wheel; the others are local tools in
`medallion.tooling.commands`, which the wheel leaves out. Run from an installed wheel, a tool says
so in one line and exits 2.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from medallion import __version__

RUNTIME = "medallion.commands"
TOOLING = "medallion.tooling.commands"

# name -> (module with add_arguments(parser) and run(args) -> int, one-line help)
COMMANDS: dict[str, tuple[str, str]] = {
    "validate": (f"{TOOLING}.validate", "check medallion.yml without starting Spark"),
    "run-local": (f"{TOOLING}.run_local", "run the pipeline on local Apache Spark and report"),
    "dev": (f"{TOOLING}.dev", "watch medallion.yml and src/, rerun what changed, show what moved"),
    "server": (f"{TOOLING}.server", "status or stop of the project's warm local Spark server"),
    "monitor": (f"{RUNTIME}.monitor", "watch a pipeline update and judge it"),
    "deploy": (f"{TOOLING}.deploy", "validate, deploy, run and monitor a bundle target"),
    "infer": (f"{TOOLING}.infer", "draft medallion.yml from sample files"),
    "settings": (f"{TOOLING}.settings", "print the resolved pipeline settings (API JSON)"),
    "sample-data": (f"{RUNTIME}.sample_data", "write the dirty retail sample data"),
    "landing-folders": (f"{RUNTIME}.landing_folders", "create each files source's landing folder"),
    "upgrade": (f"{TOOLING}.upgrade", "take a newer release: merge its helpers, migrate your files"),
}


class LocalToolMissing(Exception):
    """A tooling command was asked for where only the runtime is installed (the wheel)."""


def load_command(name: str) -> ModuleType:
    """The module of command `name`; `LocalToolMissing` when it is a tool the wheel leaves out."""
    module_name = COMMANDS[name][0]
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        parts = module_name.split(".")
        left_out = {".".join(parts[:i]) for i in range(2, len(parts) + 1)}  # medallion.tooling, ...
        if module_name.startswith(f"{TOOLING}.") and error.name in left_out:
            raise LocalToolMissing(
                f"medallion {name}: a local tool, not part of the deployed wheel; run it from the "
                "project checkout (pip install -e '.[local,dev]')"
            ) from None
        raise


def build_parser(selected: str | None) -> tuple[argparse.ArgumentParser, dict[str, argparse.ArgumentParser]]:
    """A parser listing every command (and each command's own parser); only the selected
    command's arguments are loaded."""
    parser = argparse.ArgumentParser(prog="medallion", description=__doc__.split("\n")[0])
    parser.add_argument("--version", action="version", version=f"medallion {__version__} (template release)")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    commands = {}
    for name, (_, help_text) in COMMANDS.items():
        commands[name] = sub = subparsers.add_parser(name, help=help_text, description=help_text)
        if name == selected:
            load_command(name).add_arguments(sub)
    return parser, commands


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command and return its exit code (for callers in Python, such as tests)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    selected = next((a for a in args_list if not a.startswith("-")), None)
    try:
        parser, commands = build_parser(selected if selected in COMMANDS else None)
    except LocalToolMissing as missing:
        print(missing, file=sys.stderr)
        return 2
    args, unknown = parser.parse_known_args(args_list)
    if unknown:  # the command's own usage, not the top-level one
        commands[args.command].error(f"unrecognized arguments: {' '.join(unknown)}")
    return int(load_command(args.command).run(args) or 0)


def console_main() -> None:
    """The `medallion` console script: exit with the command's code.

    A Databricks `python_wheel_task` calls this function and ignores what it returns; only an
    exception or a non-zero `sys.exit` fails the task (the CLI's wheel wrapper shows the call,
    databricks/cli bundle/trampoline/python_wheel.go: `entry[0].load()()`). Returning the code
    would leave a FAILED monitor verdict green.
    """
    sys.exit(main())
