"""`medallion sample-data`: write the dirty retail sample (and its defect manifest)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from medallion.sample_data import FORMATS, SEED, SOURCE_TYPES, write_sample


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--out", type=Path, required=True, help="folder to write <table>/part-000N.* into")
    parser.add_argument("--format", choices=FORMATS, default="json", help="file format (default json)")
    parser.add_argument(
        "--source-type",
        choices=SOURCE_TYPES,
        default="files",
        help="files; delta (a Parquet stand-in); kafka (Kafka-shaped JSON records)",
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
    if args.if_empty and _holds_files(args.out):
        print(f"{args.out} already holds files: sample not written again (--if-empty)")
        return 0
    try:
        manifest = write_sample(args.out, args.format, args.source_type, args.scale, args.seed)
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
