"""Versioned rewrites of user-owned files (resources, databricks.yml) that a release needs.

`medallion upgrade` never writes a user's file on its own. A release that renames something a
user's file sets ships a Migration here; `medallion upgrade --migrate` runs the new release's
migrations (this module from the new render, `python -m medallion.tooling.migrations`), shows
the diff, then writes it. Each rewrite is idempotent: a migration is pending while it would
still change a file, whatever release the project records. The runtime keeps reading the old
form (a shim) for one release after its migration ships; `retires` names that shim.
"""

from __future__ import annotations

import argparse
import difflib
import re
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Migration:
    """One release's rewrite of some user-owned files."""

    release: str
    """The release whose files this brings a project to."""
    name: str
    summary: str
    paths: tuple[str, ...]
    """Glob patterns, relative to the project, of the files it may rewrite."""
    rewrite: Callable[[str], str]
    retires: str
    """The compatibility shim this migration lets a later release remove, and when."""


@dataclass(frozen=True)
class Change:
    """One file a migration rewrites."""

    migration: Migration
    path: str
    before: str
    after: str

    def diff(self) -> str:
        return "".join(
            difflib.unified_diff(
                self.before.splitlines(keepends=True),
                self.after.splitlines(keepends=True),
                f"a/{self.path}",
                f"b/{self.path}",
            )
        )


# -- 0.5.0: one pipeline configuration key for the source location ------------------------

SOURCE_LOCATION_KEY = "medallion.source_location"
OLD_SOURCE_LOCATION_KEYS = ("medallion.source_root", "medallion.kafka.bootstrap_servers")
_KEY_LINE = re.compile(r"^(?P<indent>\s*)(?P<key>[A-Za-z0-9_.-]+)\s*:(?P<value>.*)$")


def _value(text: str) -> str:
    """A YAML scalar as written, without a trailing comment, quotes or a trailing slash."""
    bare = re.sub(r"\s+#.*$", "", text).strip()
    return bare.strip("\"'").rstrip("/")


def rename_source_location_keys(text: str) -> str:
    """0.4.0's `medallion.source_root` and `medallion.kafka.bootstrap_servers` become one
    `medallion.source_location` per mapping. A second key of the same mapping with the same
    value is removed; one with a different value is left for the user (the runtime refuses it,
    naming both)."""
    lines = text.splitlines(keepends=True)
    keep = [True] * len(lines)
    for block in _sibling_blocks(lines):
        holder: str | None = None
        for index in block:
            match = _KEY_LINE.match(lines[index])
            if match and match["key"] == SOURCE_LOCATION_KEY:
                holder = _value(match["value"])
        for index in block:
            match = _KEY_LINE.match(lines[index])
            if not match or match["key"] not in OLD_SOURCE_LOCATION_KEYS:
                continue
            value = _value(match["value"])
            if holder is None:
                lines[index] = lines[index].replace(match["key"], SOURCE_LOCATION_KEY, 1)
                holder = value
            elif holder == value:
                keep[index] = False
    return "".join(line for line, kept in zip(lines, keep, strict=True) if kept)


def _sibling_blocks(lines: list[str]) -> Iterator[list[int]]:
    """Indexes of the key lines that share one mapping (same indent, same parent)."""
    open_blocks: dict[int, list[int]] = {}
    for index, line in enumerate(lines):
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            continue
        indent = len(line) - len(line.lstrip())
        for deeper in [i for i in open_blocks if i > indent]:
            yield open_blocks.pop(deeper)
        if stripped.startswith("- "):
            if indent in open_blocks:
                yield open_blocks.pop(indent)
            continue
        open_blocks.setdefault(indent, []).append(index)
    yield from open_blocks.values()


MIGRATIONS: tuple[Migration, ...] = (
    Migration(
        release="0.5.0",
        name="source-location-key",
        summary=(
            f"pipeline configuration: {' and '.join(OLD_SOURCE_LOCATION_KEYS)} are now {SOURCE_LOCATION_KEY}"
        ),
        paths=("databricks.yml", "resources/**/*.yml"),
        rewrite=rename_source_location_keys,
        retires="medallion.context.OLD_SOURCE_KEYS (reading 0.4.0's keys): remove it in 0.7.0",
    ),
)


def _release(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.findall(r"\d+", text)[:3])


def pending(project: Path, up_to: str | None = None) -> list[Change]:
    """Every file change the migrations up to release `up_to` (default: all) would make."""
    changes = []
    for migration in sorted(MIGRATIONS, key=lambda m: _release(m.release)):
        if up_to and _release(migration.release) > _release(up_to):
            continue
        seen: set[Path] = set()
        for pattern in migration.paths:
            for path in sorted(project.glob(pattern)):
                if path in seen or not path.is_file():
                    continue
                seen.add(path)
                before = path.read_text()
                after = migration.rewrite(before)
                if after != before:
                    changes.append(Change(migration, path.relative_to(project).as_posix(), before, after))
    return changes


def apply(project: Path, changes: list[Change]) -> None:
    for change in changes:
        (project / change.path).write_text(change.after)


def describe(changes: list[Change]) -> str:
    """Each pending migration, its files and the diff."""
    out = []
    for migration in dict.fromkeys(c.migration for c in changes):
        files = [c for c in changes if c.migration is migration]
        out.append(f"# {migration.release} {migration.name}: {migration.summary}\n")
        out.extend(c.diff() for c in files)
    return "".join(out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="show (and with --apply, write) pending migrations")
    parser.add_argument("--project", type=Path, default=Path.cwd())
    parser.add_argument("--up-to", help="only migrations of releases up to this one")
    parser.add_argument("--apply", action="store_true", help="write the changes after showing them")
    args = parser.parse_args(argv)
    changes = pending(args.project, args.up_to)
    sys.stdout.write(describe(changes))
    if args.apply:
        apply(args.project, changes)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
