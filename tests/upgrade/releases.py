"""Template releases for the upgrade tests: copies of this repository's template as an older
release shipped it, and a git repository holding an older release and then ours."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from medallion.context import SOURCE_LOCATION
from medallion.tooling.template_source import TEMPLATE_PARTS
from tests.rendering import REPO

PROJECT_TEMPLATE = Path("template") / "{{.project_name}}"
OLD_SOURCE_KEY = "medallion.source_root"
DROPPED = "src/medallion/legacy_paths.py"
STALE = "src/medallion/naming.py"
REWORDED = "src/medallion/sql.py"
"""A helper whose first line the older release words differently."""
OLDER_FIRST_LINE = '"""SQL text helpers (the older release\'s wording)."""'


def copy_template(folder: Path) -> Path:
    """This checkout's template files (what `bundle init` reads) into `folder`."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in TEMPLATE_PARTS:
        source, target = REPO / name, folder / name
        if target.is_dir():
            shutil.rmtree(target)
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache")
            shutil.copytree(source, target, ignore=ignore)
        else:
            shutil.copy(source, target)
    return folder


def make_older(folder: Path, version: str) -> Path:
    """Turn a copy of our template into an older release: an older version number, older texts
    of two helpers, a helper the next release dropped, the pipeline configuration key 0.4.0 used
    for the source location, and its own manifest."""
    helpers = folder / PROJECT_TEMPLATE
    init = helpers / "src" / "medallion" / "__init__.py"
    init.write_text(
        "\n".join(
            f'__version__ = "{version}"' if line.startswith("__version__") else line
            for line in init.read_text().splitlines()
        )
        + "\n"
    )
    stale = helpers / STALE
    stale.write_text(stale.read_text() + "\n# (the older release's text)\n")
    reworded = helpers / REWORDED
    rest = reworded.read_text().split("\n", 1)[1]
    reworded.write_text(OLDER_FIRST_LINE + "\n" + rest)
    (helpers / DROPPED).write_text('"""A helper the next release removed."""\n')
    (pipeline,) = (helpers / "resources").glob("*.pipeline.yml.tmpl")
    pipeline.write_text(pipeline.read_text().replace(f"{SOURCE_LOCATION}:", f"{OLD_SOURCE_KEY}:"))
    sync_manifest(helpers)
    return folder


def sync_manifest(helpers: Path) -> None:
    subprocess.run(
        [sys.executable, str(REPO / "scripts/sync_template_manifest.py"), "--project-template", str(helpers)],
        check=True,
        capture_output=True,
    )


def git(folder: Path, *args: str) -> str:
    done = subprocess.run(
        [
            "git",
            "-C",
            str(folder),
            "-c",
            "user.name=Template",
            "-c",
            "user.email=template@example.com",
            *args,
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def commit_all(folder: Path, message: str) -> str:
    git(folder, "add", "-A")
    git(folder, "commit", "--quiet", "-m", message)
    return git(folder, "rev-parse", "HEAD")
