"""`medallion landing-folders`: create each files source's folder in the landing location.

The job runs it before the pipeline in every target whose landing volume the bundle creates:
a stream over a folder that does not exist fails ([PATH_NOT_FOUND] on Apache Spark), so an empty
landing volume must still hold one empty folder per source table for the first update to
complete. Idempotent: existing folders and their files are left as they are.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from medallion.readers import is_absolute
from medallion.spec import SpecError, load_spec


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--root", type=Path, required=True, help="the landing location (medallion.source_location)"
    )
    parser.add_argument(
        "--spec", type=Path, required=True, help="medallion.yml: which sources read files where"
    )


def run(args: argparse.Namespace) -> int:
    try:
        spec = load_spec(args.spec)
    except SpecError as error:
        print(f"landing-folders: {error}", file=sys.stderr)
        return 2
    for table in spec.sources:
        if table.source.type != "files" or is_absolute(table.source.path):
            continue  # Kafka and Delta read no folder; an absolute path is not under this landing
        folder = args.root / table.source.path
        try:
            existed = folder.is_dir()
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            print(f"landing-folders: cannot create {folder}: {error.strerror or error}", file=sys.stderr)
            return 2
        print(f"{table.name:<24} {folder}{'' if existed else '  (created)'}")
    return 0
