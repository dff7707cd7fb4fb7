"""`medallion upgrade` on a project rendered from an older release, with the real renderer.

The older release (tests/upgrade/releases.py) is this repository's template with what a
release changes: an older version number, older texts of two helpers, a helper the new release
dropped, the pipeline configuration key 0.4.0 used for the source location, and its own
manifest. It is a plain folder, not a git checkout: the release the project came from cannot be
found, so an edited helper is kept, not merged (tests/upgrade/test_merge_upgrade.py merges).
The user then edits the spec, a resource and a template-owned helper, and upgrades to this
checkout's template.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from pathlib import Path

import pytest
import yaml

from medallion.context import SOURCE_LOCATION, Settings
from tests.rendering import OFFLINE_ENV, REPO, default_renderer, render_project
from tests.support.local_run import medallion
from tests.upgrade.releases import (
    DROPPED,
    OLD_SOURCE_KEY,
    PROJECT_TEMPLATE,
    REWORDED,
    STALE,
    copy_template,
    make_older,
)

OLDER = "0.3.9"
EDITED_HELPER = REWORDED
RESOURCE = "resources/medallion_pipeline.job.yml"
PIPELINE = "resources/medallion_pipeline.pipeline.yml"


def older_release(folder: Path) -> Path:
    """A copy of our template as an older release would have shipped it (not a git checkout:
    the release the project came from cannot be found, so nothing is merged)."""
    return make_older(copy_template(folder), OLDER)


def upgrade(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    renderer = " ".join(default_renderer())
    return medallion(
        project, "upgrade", *args, env={**OFFLINE_ENV, "MEDALLION_BUNDLE_INIT": renderer}, timeout=300
    )


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """Rendered from the older release, then edited by its user."""
    rendered = render_project({}, tmp_path / "render", template=older_release(tmp_path / "older"))
    spec = rendered / "medallion.yml"
    spec.write_text(spec.read_text().replace("max_quarantine_fraction: 0.25", "max_quarantine_fraction: 0.3"))
    resource = rendered / RESOURCE
    resource.write_text(resource.read_text() + "      tags:\n        team: data\n")
    helper = rendered / EDITED_HELPER
    helper.write_text(helper.read_text() + "\n# my local fix\n")
    return rendered


def snapshot(project: Path) -> dict[str, bytes]:
    return {p.relative_to(project).as_posix(): p.read_bytes() for p in project.rglob("*") if p.is_file()}


def test_upgrade_refreshes_the_helpers_and_keeps_every_edit(project: Path) -> None:
    spec, resource, helper = ((project / p).read_bytes() for p in ("medallion.yml", RESOURCE, EDITED_HELPER))
    done = upgrade(project, "--template", str(REPO))
    assert done.returncode == 0, done.stdout + done.stderr
    ours = REPO / PROJECT_TEMPLATE
    assert f"{OLDER} -> " in done.stdout
    assert (project / STALE).read_bytes() == (ours / STALE).read_bytes(), "an untouched helper is replaced"
    assert not (project / DROPPED).exists(), "a helper the new release dropped is removed"
    assert (project / "medallion.yml").read_bytes() == spec, "the spec is never touched"
    assert (project / RESOURCE).read_bytes() == resource, "a user-owned resource is never touched"
    assert (project / EDITED_HELPER).read_bytes() == helper, "a helper the user changed is kept"
    assert EDITED_HELPER in done.stdout and RESOURCE in done.stdout, "both are reported"
    saved = project / ".medallion" / "upgrade"
    assert (saved / "template" / EDITED_HELPER).read_bytes() == (ours / EDITED_HELPER).read_bytes()
    assert f"+++ b/{RESOURCE}" in (saved / "your-files.diff").read_text()
    assert f"+++ b/{STALE}" in (saved / "template.diff").read_text()
    manifest = json.loads((project / "src/medallion/template_files.json").read_text())
    assert manifest == json.loads((ours / "src/medallion/template_files.json").read_text())
    answers = json.loads((project / ".medallion-template.json").read_text())
    assert answers["template"] == str(REPO)
    # The kept pipeline resource still names the source location as 0.4.0 did; the new helpers read it.
    document = yaml.safe_load((project / PIPELINE).read_text())
    configuration = next(iter(document["resources"]["pipelines"].values()))["configuration"]
    assert SOURCE_LOCATION not in configuration
    assert Settings.from_conf(configuration.get).source_location == configuration[OLD_SOURCE_KEY].rstrip("/")

    again = upgrade(project)  # the template location was remembered
    assert again.returncode == 0, again.stdout + again.stderr
    # nothing left to write; the edited helper is listed (kept, or when this checkout's history
    # holds the release just taken, as the user's edit the release did not change)
    assert not re.search(r"(replace|add|remove|merge) [1-9]", again.stdout), again.stdout
    assert EDITED_HELPER in again.stdout


def test_dry_run_writes_nothing(project: Path) -> None:
    before = snapshot(project)
    done = upgrade(project, "--template", str(REPO), "--dry-run")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "would replace 2, add 0, remove 1, merge 0" in done.stdout  # naming.py, __init__ (version)
    assert snapshot(project) == before


def test_without_the_answers_file_it_says_what_is_missing(project: Path) -> None:
    (project / ".medallion-template.json").unlink()
    done = upgrade(project, "--template", str(REPO))
    assert done.returncode == 2 and ".medallion-template.json: missing" in done.stderr, done.stderr


def test_without_a_template_it_asks_for_one(project: Path) -> None:
    done = upgrade(project)
    assert done.returncode == 2 and "pass --template URL|PATH" in done.stderr, done.stderr


def test_a_failing_render_is_reported_and_nothing_is_written(project: Path, tmp_path: Path) -> None:
    before = snapshot(project)
    done = upgrade(project, "--template", str(tmp_path / "no-template-here"))
    assert done.returncode == 2 and "no-template-here" in done.stderr and "failed" in done.stderr, done.stderr
    assert snapshot(project) == before


def test_the_renderer_must_be_the_bundle_cli(project: Path, tmp_path: Path) -> None:
    fake = tmp_path / "bin" / "databricks"
    fake.parent.mkdir()
    fake.write_text("#!/bin/sh\necho 'Usage: databricks [OPTIONS] COMMAND' >&2\nexit 2\n")  # the legacy CLI
    fake.chmod(0o755)
    path = f"{fake.parent}{os.pathsep}{os.environ['PATH']}"
    done = medallion(
        project, "upgrade", "--template", str(REPO), env={"PATH": path, "MEDALLION_BUNDLE_INIT": ""}
    )
    assert done.returncode == 2 and "has no `bundle init`" in done.stderr, done.stderr
