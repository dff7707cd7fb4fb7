#!/usr/bin/env python3
"""Render every golden case again and rewrite its committed output (tests/bundle/golden/*/).

Run it after a template change, then review `git diff tests/bundle/golden` (what users will
get). The test suite fails while a golden output differs from a fresh render.
Usage: scripts/refresh_golden.py [CASE...]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.support.golden import cases, committed_tree, rendered_tree, write_tree  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("case", nargs="*", help="case names (default: all)")
    args = parser.parse_args(argv)
    chosen = [c for c in cases() if not args.case or c.name in args.case]
    unknown = set(args.case) - {c.name for c in chosen}
    if unknown:
        print(f"no golden case {', '.join(sorted(unknown))}", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="golden-") as scratch:
        for case in chosen:
            tree = rendered_tree(case, Path(scratch))
            status = "unchanged" if tree == committed_tree(case) else "updated"
            write_tree(case, tree)
            print(f"{case.name}: {status} ({len(tree)} files)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
