"""`python scripts/datagen --rows N --format csv|parquet|mixed --out DIR [--seed S]`."""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from datagen import DEFAULT_SEED, FORMATS, generate


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="datagen", description="Write the airline scale dataset.")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows in all tables together (about)")
    parser.add_argument("--format", choices=FORMATS, default="csv", help="csv, parquet, or mixed per table")
    parser.add_argument("--out", type=Path, required=True, help="folder: one subfolder per table")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    started = time.monotonic()
    try:
        manifest = generate(args.out, args.rows, args.format, args.seed)
    except ValueError as error:
        print(error, file=sys.stderr)
        return 2
    sizes = ", ".join(f"{name} {t['rows']:,}" for name, t in manifest["tables"].items())
    print(f"wrote {manifest['rows']:,} rows in {time.monotonic() - started:.1f} s to {args.out}: {sizes}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
