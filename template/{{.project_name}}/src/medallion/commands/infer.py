"""`medallion infer PATH... --out SPEC`: draft medallion.yml from sample files (no Spark)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from medallion.spec import SpecError, load_spec


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths",
        nargs="+",
        type=Path,
        metavar="PATH",
        help="sample files (the stem names the table) or folders (one per table, or holding table folders)",
    )
    parser.add_argument("--out", type=Path, required=True, help="spec file to write, e.g. medallion.yml")
    parser.add_argument("--max-rows", type=int, default=100_000, help="rows read per table (default 100000)")
    parser.add_argument("--force", action="store_true", help="overwrite --out when it exists")


def run(args: argparse.Namespace) -> int:
    from medallion.infer import infer_spec
    from medallion.infer.read import SampleError

    if args.out.exists() and not args.force:
        print(f"{args.out} exists; pass --force to overwrite it", file=sys.stderr)
        return 2
    try:
        text = infer_spec(list(args.paths), args.max_rows)
    except SampleError as error:
        print(error, file=sys.stderr)
        return 2
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text)
    try:
        spec = load_spec(args.out)
    except SpecError as error:
        print(f"the draft does not validate (please report this):\n{error}", file=sys.stderr)
        return 1
    print(
        f"wrote {args.out}: {len(spec.sources)} source(s), {len(spec.gold.dimensions)} dimension(s), "
        f"{len(spec.gold.facts)} fact(s); review the evidence comments before use"
    )
    return 0
