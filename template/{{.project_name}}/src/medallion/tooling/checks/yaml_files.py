"""Check that YAML files parse (the offline stand-in for pre-commit's check-yaml).

Usage: python -m medallion.tooling.checks.yaml_files FILE...   (exit 1 and one line per broken file)
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import yaml


def problem(path: Path) -> str | None:
    """None when every document in the file parses, otherwise the parser's message."""
    try:
        with path.open(encoding="utf-8") as handle:
            for _ in yaml.safe_load_all(handle):
                pass
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        return " ".join(str(error).split())
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Parse each named file; exit 1 when any fails."""
    failed = 0
    for name in sys.argv[1:] if argv is None else argv:
        message = problem(Path(name))
        if message:
            failed += 1
            print(f"{name}: {message}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
