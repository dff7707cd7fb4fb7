"""`medallion sample-data`: write the dirty retail sample (and its defect manifest)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from medallion.retail_sample import FORMATS, SEED, SOURCE_TYPES, layout_for, write_sample
from medallion.spec import SpecError, load_spec


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="folder to write <table>/part-000N.* into")
    parser.add_argument(
        "--spec",
        type=Path,
        help="write the sample the way this medallion.yml reads it (format and source type); "
        "the dev job passes the deployed spec",
    )
    parser.add_argument("--format", choices=FORMATS, help="file format (default json; not with --spec)")
    parser.add_argument(
        "--source-type",
        choices=SOURCE_TYPES,
        help="files (default); delta (a Parquet stand-in); kafka (Kafka-shaped records); not with --spec",
    )
    parser.add_argument("--scale", type=int, default=1, help="multiply row counts (1: a few hundred rows)")
    parser.add_argument("--seed", type=int, default=SEED, help="random seed (same seed, same data)")
    parser.add_argument(
        "--if-empty",
        action="store_true",
        help="write nothing when --out already holds files (the dev job loads the sample once)",
    )


def run(args: argparse.Namespace) -> int:
    if args.scale < 1:
        print("sample-data: --scale must be 1 or more", file=sys.stderr)
        return 2
    if args.spec and (args.format or args.source_type):
        print(
            "sample-data: --spec decides the format and source type; drop --format/--source-type",
            file=sys.stderr,
        )
        return 2
    if args.if_empty and _holds_files(args.out):
        print(f"{args.out} already holds files: sample not written again (--if-empty)")
        return 0
    fmt, source_type = args.format or "json", args.source_type or "files"
    if args.spec:
        try:
            fmt, source_type = layout_for(load_spec(args.spec))
        except SpecError as error:
            print(f"sample-data: {error}", file=sys.stderr)
            return 2
        except ValueError as error:
            print(f"sample-data: nothing written: {error}; load your own data into {args.out}")
            return 0
    try:
        manifest = write_sample(args.out, fmt, source_type, args.scale, args.seed)
    except OSError as error:
        print(
            f"sample-data: cannot write the sample to {args.out}: {error.strerror or error}", file=sys.stderr
        )
        return 2
    for table, info in manifest["tables"].items():
        print(f"{table:<10} {info['rows']:>9} rows in {len(info['files'])} file(s)")
    print(f"{len(manifest['defects'])} seeded defects listed in {args.out / 'manifest.json'}")
    return 0


def _holds_files(folder: Path) -> bool:
    """True when `folder` exists and has at least one file anywhere below it."""
    return folder.is_dir() and any(path.is_file() for path in folder.rglob("*"))
