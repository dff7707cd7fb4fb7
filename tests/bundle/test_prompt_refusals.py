"""Cross-answer refusals a prompt pattern cannot express (library/checks.tmpl)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from importlib import metadata
from importlib.metadata import packages_distributions
from pathlib import Path

from tests.rendering import OFFLINE_ENV, RENDERER, REPO, render_project
from tests.support.toml import tomllib

CHECKS = REPO / "library" / "checks.tmpl"


def reserved_names() -> set[str]:
    """The names check_project_name refuses, read from the template."""
    text = CHECKS.read_text()
    listed = re.search(r'define "check_project_name".*?\.Split `(.*?)` -1', text, re.S)
    assert listed, "check_project_name keeps its names in one raw string"
    return set(listed.group(1).split())


def installed_closure(names: set[str]) -> set[str]:
    """The distributions `names` need, transitively, as far as they are installed here
    (typing_extensions arrives through pyspark's and the SDK's requirements)."""
    found: set[str] = set()
    todo = sorted(names)
    while todo:
        name = todo.pop()
        if name in found:
            continue
        found.add(name)
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            continue
        for requirement in requires:
            if "extra ==" in requirement:
                continue
            match = re.match(r"[A-Za-z0-9_.-]+", requirement)
            if match:
                todo.append(match.group(0).lower().replace("_", "-"))
    return found


def test_reserved_names_cover_the_standard_library_and_the_projects_packages(tmp_path: Path) -> None:
    """A project named like a module it imports cannot be installed or shadows that module."""
    pattern = re.compile(r"[a-z][a-z0-9_]{0,62}")
    stdlib = {name for name in sys.stdlib_module_names if pattern.fullmatch(name)}
    project = render_project({}, tmp_path / "render")
    pyproject = tomllib.loads((project / "pyproject.toml").read_text())["project"]
    requirements = [
        *pyproject["dependencies"],
        *(r for extra in pyproject["optional-dependencies"].values() for r in extra),
    ]
    distributions = installed_closure(
        {re.split(r"[^A-Za-z0-9_.-]", r, maxsplit=1)[0].lower().replace("_", "-") for r in requirements}
    )
    imports = {
        module
        for module, owners in packages_distributions().items()
        if pattern.fullmatch(module) and any(o.lower().replace("_", "-") in distributions for o in owners)
    }
    missing = (stdlib | imports | {"medallion"}) - reserved_names()
    assert not missing, f"add to check_project_name in {CHECKS.relative_to(REPO)}: {sorted(missing)}"


def test_a_user_name_that_would_break_a_sql_line_is_refused(tmp_path: Path) -> None:
    """The workspace user name is not a prompt: a newline in it reached setup.sql as a new line."""
    answers = tmp_path / "answers.json"
    answers.write_text(json.dumps({"grantee": "analysts", "notification_email": "ops@example.com"}))
    env = {**os.environ, **OFFLINE_ENV, "DATABRICKS_USER_NAME": "ops@example.com\nGRANT ALL"}
    out = tmp_path / "out"
    done = subprocess.run(
        [str(RENDERER), str(REPO), "--config-file", str(answers), "--output-dir", str(out)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode != 0
    assert "the workspace user name" in done.stderr and "cannot name it safely" in done.stderr
    assert not out.exists() or list(out.iterdir()) == []
