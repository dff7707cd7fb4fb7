#!/usr/bin/env python3
"""Write the list of template-owned files and their hashes into the helper package.

`medallion upgrade` replaces a template-owned file only when the project still holds the bytes
this release shipped (the hash here); a file the user changed is kept and reported. The files
are copied verbatim by `bundle init` (no `.tmpl` suffix), so their hashes are known before any
render. `--check` writes nothing and exits 1 when the manifest is stale (the tests run it).
Usage: scripts/sync_template_manifest.py [--check]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
TEMPLATE = REPO / "template" / "{{.project_name}}"
MANIFEST = Path("src") / "medallion" / "template_files.json"
OWNED = ("src/medallion", "typings")
"""Folders the template owns in a project: the helper package and the editor stubs."""
SKIPPED = re.compile(r"(^|/)(__pycache__|\.pytest_cache|\.ruff_cache)(/|$)|\.pyc$")


def owned_files(project: Path) -> dict[str, str]:
    """Project-relative path -> sha256 of every template-owned file (the manifest itself aside)."""
    files = {}
    for folder in OWNED:
        for path in sorted((project / folder).rglob("*")):
            relative = path.relative_to(project).as_posix()
            if path.is_file() and relative != MANIFEST.as_posix() and not SKIPPED.search(relative):
                if relative.endswith(".tmpl"):
                    raise SystemExit(f"{relative}: template-owned files must be verbatim (no .tmpl)")
                files[relative] = hashlib.sha256(path.read_bytes()).hexdigest()
    return files


def release(project: Path) -> str:
    """medallion.__version__, read from the package source (one home for the release number)."""
    text = (project / "src" / "medallion" / "__init__.py").read_text()
    found = re.search(r'^__version__ = "([^"]+)"$', text, re.MULTILINE)
    if not found:
        raise SystemExit("src/medallion/__init__.py has no __version__")
    return found.group(1)


def manifest_text(project: Path) -> str:
    document = {
        "comment": "Written by scripts/sync_template_manifest.py: what `medallion upgrade` may replace.",
        "version": release(project),
        "files": owned_files(project),
    }
    return json.dumps(document, indent=2) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if the manifest is out of date")
    parser.add_argument(
        "--project-template", type=Path, default=TEMPLATE, help="the template's project folder (default ours)"
    )
    args = parser.parse_args(argv)
    path = args.project_template / MANIFEST
    wanted = manifest_text(args.project_template)
    current = path.read_text() if path.exists() else ""
    if wanted == current:
        return 0
    if args.check:
        print(f"{path} is stale: run scripts/sync_template_manifest.py", file=sys.stderr)
        return 1
    path.write_text(wanted)
    print(f"updated {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
