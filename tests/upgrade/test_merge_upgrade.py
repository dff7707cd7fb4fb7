"""`medallion upgrade` across releases held in a template's git history: the user's edits to a
helper the new release also changed are merged three ways (base: the release the project was
rendered from, found by its manifest), overlapping edits are marked as git marks them, the
renamed pipeline configuration key is migrated only under --migrate (its diff shown first), and
the upgraded project's own tests pass.

The template repository has two commits: an older release (tests/upgrade/releases.py: 0.4.0's
source-location key, an older first line of sql.py) and this checkout's template.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
import yaml

from medallion.context import SOURCE_LOCATION, Settings
from medallion.tooling.upgrade_plan import PLAN_DIR
from tests.rendering import OFFLINE_ENV, default_renderer, render_project
from tests.support.connect_server import ConnectServer
from tests.support.local_run import medallion
from tests.template.conftest import project_pytest
from tests.upgrade.releases import (
    OLD_SOURCE_KEY,
    OLDER_FIRST_LINE,
    PROJECT_TEMPLATE,
    REWORDED,
    commit_all,
    copy_template,
    git,
    make_older,
    sync_manifest,
)

OLDER = "0.4.0"
PIPELINE = "resources/medallion_pipeline.pipeline.yml"
JOB = "resources/medallion_pipeline.job.yml"
LATER_FIRST_LINE = '"""Safe SQL text (a later release\'s wording)."""'
USER_FUNCTION = (
    '\n\ndef team_table(name: str) -> str:\n    """Our team\'s table naming."""\n    return f"team_{name}"\n'
)


def upgrade(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    renderer = " ".join(default_renderer())
    return medallion(
        project, "upgrade", *args, env={**OFFLINE_ENV, "MEDALLION_BUNDLE_INIT": renderer}, timeout=300
    )


@pytest.fixture
def releases(tmp_path: Path) -> tuple[Path, Path, str, str]:
    """(template repository, project rendered from its older release, older commit, newer commit).
    The project's user added a function to sql.py and a tag to the job."""
    repo = make_older(copy_template(tmp_path / "template"), OLDER)
    git(repo, "init", "--quiet")
    older = commit_all(repo, f"release {OLDER}")
    project = render_project({}, tmp_path / "render", template=repo)
    copy_template(repo)
    newer = commit_all(repo, "the next release")
    helper = project / REWORDED
    helper.write_text(helper.read_text() + USER_FUNCTION)
    job = project / JOB
    job.write_text(job.read_text() + "      tags:\n        team: data\n")
    return repo, project, older, newer


def pipeline_configuration(project: Path) -> dict[str, str]:
    document = yaml.safe_load((project / PIPELINE).read_text())
    return next(iter(document["resources"]["pipelines"].values()))["configuration"]


def test_edits_on_both_sides_merge_and_the_renamed_key_is_migrated(
    releases: tuple[Path, Path, str, str],
) -> None:
    repo, project, _, newer = releases
    ours = repo / PROJECT_TEMPLATE
    job = (project / JOB).read_bytes()
    done = upgrade(project, "--template", str(repo), "--migrate")
    assert done.returncode == 0, done.stdout + done.stderr

    merged = (project / REWORDED).read_text()
    assert merged == (ours / REWORDED).read_text() + USER_FUNCTION, "the template's change and the user's"
    assert not merged.startswith(OLDER_FIRST_LINE)
    assert "merged: your changes and the template's" in done.stdout and REWORDED in done.stdout
    assert (project / JOB).read_bytes() == job, "a file no migration names is never written"

    configuration = pipeline_configuration(project)
    assert OLD_SOURCE_KEY not in configuration and SOURCE_LOCATION in configuration
    assert Settings.from_conf(configuration.get).source_location
    assert f"-        {OLD_SOURCE_KEY}:" in done.stdout and f"+        {SOURCE_LOCATION}:" in done.stdout
    assert "migrated your files" in done.stdout

    answers = json.loads((project / ".medallion-template.json").read_text())
    release = json.loads((ours / "src/medallion/template_files.json").read_text())["version"]
    assert (answers["commit"], answers["release"], answers["template"]) == (newer, release, str(repo))

    # the upgraded project: its spec validates and its own fast tests pass with the merged helper
    validate = medallion(project, "validate")
    assert validate.returncode == 0, validate.stdout + validate.stderr
    tests = project_pytest(project, "-m", "not pipeline")
    assert tests.returncode == 0, tests.stdout[-3000:] + tests.stderr[-2000:]
    assert " passed" in tests.stdout

    # the next upgrade starts from the recorded commit: nothing left to do, no migration pending
    again = upgrade(project)
    assert again.returncode == 0, again.stdout + again.stderr
    assert "the template-owned files are up to date" in again.stdout
    assert "unchanged by the new release (kept):\n    " + REWORDED in again.stdout
    assert "--migrate" not in again.stdout and "migrated" not in again.stdout


def test_without_migrate_the_diff_is_shown_and_the_files_stay(releases: tuple[Path, Path, str, str]) -> None:
    repo, project, _, _ = releases
    pipeline = (project / PIPELINE).read_bytes()
    done = upgrade(project, "--template", str(repo))
    assert done.returncode == 0, done.stdout + done.stderr
    assert "rerun with --migrate" in done.stdout and f"+        {SOURCE_LOCATION}:" in done.stdout
    assert (project / PIPELINE).read_bytes() == pipeline
    # the 0.4.0 key still works through the runtime's shim until the user migrates
    assert Settings.from_conf(pipeline_configuration(project).get).source_location


def test_overlapping_edits_are_marked_as_git_marks_them(releases: tuple[Path, Path, str, str]) -> None:
    repo, project, _, _ = releases
    helper = project / REWORDED
    first, rest = helper.read_text().split("\n", 1)
    assert first == OLDER_FIRST_LINE
    helper.write_text('"""Our own wording."""\n' + rest)
    done = upgrade(project, "--template", str(repo))
    assert done.returncode == 1, done.stdout + done.stderr
    text = helper.read_text()
    ours = (repo / PROJECT_TEMPLATE / REWORDED).read_text().split("\n", 1)[0]
    assert text.startswith(
        f'<<<<<<< yours\n"""Our own wording."""\n'
        f"||||||| release {OLDER}\n{OLDER_FIRST_LINE}\n=======\n{ours}\n>>>>>>> template "
    ), text[:400]
    assert text.endswith(USER_FUNCTION), "the user's other edit merged cleanly"
    assert "CONFLICTS" in done.stdout and REWORDED in done.stdout
    saved = project / PLAN_DIR / "template" / REWORDED
    assert saved.read_text() == (repo / PROJECT_TEMPLATE / REWORDED).read_text()


def test_a_git_url_at_a_tag_and_the_recorded_commit(releases: tuple[Path, Path, str, str]) -> None:
    """A URL is cloned and checked out at --ref; the next upgrade merges from the commit recorded."""
    repo, project, _, newer = releases
    git(repo, "tag", "v-next", newer)
    helper = repo / PROJECT_TEMPLATE / REWORDED
    helper.write_text(LATER_FIRST_LINE + "\n" + helper.read_text().split("\n", 1)[1])
    sync_manifest(repo / PROJECT_TEMPLATE)
    latest = commit_all(repo, "a later release")
    url = repo.as_uri()

    done = upgrade(project, "--template", url, "--ref", "v-next")
    assert done.returncode == 0, done.stdout + done.stderr
    answers = json.loads((project / ".medallion-template.json").read_text())
    assert (answers["commit"], answers["template"]) == (newer, url)
    assert not (project / REWORDED).read_text().startswith(LATER_FIRST_LINE)

    done = upgrade(project)  # the remembered URL, its HEAD; base: the recorded commit
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads((project / ".medallion-template.json").read_text())["commit"] == latest
    text = (project / REWORDED).read_text()
    assert text.startswith(LATER_FIRST_LINE + "\n") and text.endswith(USER_FUNCTION), text[:300]


@pytest.mark.pipeline
def test_the_upgraded_project_passes_its_whole_suite(
    releases: tuple[Path, Path, str, str], shared_server: ConnectServer
) -> None:
    """Merged helper, migrated resources: the project's own tests, its two local runs included."""
    repo, project, _, _ = releases
    done = upgrade(project, "--template", str(repo), "--migrate")
    assert done.returncode == 0, done.stdout + done.stderr
    result = project_pytest(project, "-rs", env={"MEDALLION_TEST_REMOTE": shared_server.url})
    assert result.returncode == 0, result.stdout[-6000:] + result.stderr[-2000:]
    assert "skipped" not in result.stdout.splitlines()[-1], result.stdout[-2000:]
