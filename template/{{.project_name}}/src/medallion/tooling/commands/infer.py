"""`medallion infer PATH... --out SPEC`: draft medallion.yml from sample files (no Spark)."""

from __future__ import annotations

import argparse
import hashlib
import re
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
    parser.add_argument(
        "--max-rows",
        type=int,
        default=100_000,
        help="rows profiled per table, sampled in blocks across all its files (default 100000)",
    )
    parser.add_argument("--force", action="store_true", help="overwrite --out when it exists")


# sha256 of medallion.yml as `bundle init` renders it, with the answers' parts blanked out
# (normalised_placeholder): the retail example, and the per-table stub. tests/pipeline/
# test_infer_fresh_project.py renders the template and fails when these go stale. Earlier
# releases' hashes stay: a project rendered by them still holds their placeholder.
PLACEHOLDER_HASHES = {
    "10e759e3f9ee3f69ff74f456e976a7740ee228019259e346bb04add81f3f02e1",  # the retail example
    "b28505feb6b9d0210101abc63ebd33085abb81b67348c29234e5a02d15030a9c",  # one stub per table
    # releases up to 0.4.0, whose header named medallion.source_root
    "9163b608a4f9d4c7295d81e95b5461bc8ff01160b26551fef50922e75a1e0b2a",  # the retail example
    "837d3232dbc8fd86a5833e4d630dff36e67fd54cf59223c50f4fce71b522fd82",  # it, before role-playing notes
    "131ed8ed1c86d5d4ca62b4453e30ef8502cc04484b20f3f3b63993db41ff9675",  # one stub per table
}


def normalised_placeholder(text: str) -> str:
    """The rendered spec without what the answers put in it (source type, format, table names)."""
    text = re.sub(r"(?m)^    type: (files|delta|kafka)$", "    type: T", text.replace("\r\n", "\n"))
    text = re.sub(r"(?m)^    format: (json|csv|parquet)\n", "", text)
    stub = r"(?m)^  ([a-z][a-z0-9_]*):\n    description: Raw \1 records\.\n((?:    # .*\n)+)"
    text = re.sub(stub, r"  T:\n\2", text)
    return re.sub(r"(  T:\n(?:    # .*\n)+)(?:\1)+", r"\1", text)


def is_untouched_placeholder(path: Path) -> bool:
    """True when `path` is still medallion.yml exactly as the template rendered it."""
    try:
        text = path.read_text()
    except (OSError, UnicodeDecodeError):
        return False
    return hashlib.sha256(normalised_placeholder(text).encode()).hexdigest() in PLACEHOLDER_HASHES


def run(args: argparse.Namespace) -> int:
    from medallion.tooling.inference import infer_spec
    from medallion.tooling.inference.read import SampleError

    if args.out.exists() and not args.force:
        if not is_untouched_placeholder(args.out):
            print(f"{args.out} exists and was edited; pass --force to overwrite it", file=sys.stderr)
            return 2
        print(f"replacing {args.out}: it is still the placeholder the template rendered")
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
