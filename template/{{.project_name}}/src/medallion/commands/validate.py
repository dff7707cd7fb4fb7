"""`medallion validate`: load medallion.yml and list every problem, without Spark."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from medallion.naming import expected_tables
from medallion.spec import SpecError, find_spec, load_spec


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--spec", type=Path, help="spec file (default: medallion.yml here or above)")


def run(args: argparse.Namespace) -> int:
    try:
        spec = load_spec(args.spec or find_spec())
    except (SpecError, FileNotFoundError) as error:
        print(error, file=sys.stderr)
        return 2
    tables = expected_tables(spec)
    print(f"{spec.path}: valid; {len(spec.sources)} source(s), {len(tables)} table(s):")
    for name, layer in tables.items():
        print(f"  {layer:<15} {name}")
    return 0
