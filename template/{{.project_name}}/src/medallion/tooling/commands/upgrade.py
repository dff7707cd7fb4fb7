"""`medallion upgrade [--template URL|PATH] [--ref REF] [--migrate]`: take a newer template release.

The template (a git URL, cloned; or a local folder) is rendered again (`databricks bundle init
FOLDER --config-file ANSWERS`) with the answers saved in .medallion-template.json; see
medallion.tooling.upgrade_plan for what is replaced and merged. The release the project came
from is found in the template's git history (medallion.tooling.template_source) and is the base
of the three-way merges. `--migrate` runs the new release's migrations of user-owned files
(medallion.tooling.migrations) after showing their diff. The answers file records the template,
its commit and release. MEDALLION_BUNDLE_INIT names another renderer with the same flags (the
template repository's offline `scripts/bundle-init`).
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from medallion.tooling.template_source import TemplateSource, TemplateSourceError, open_template
from medallion.tooling.upgrade_plan import (
    ANSWERS_FILE,
    PLAN_DIR,
    Base,
    Plan,
    UpgradeError,
    apply_upgrade,
    plan_upgrade,
    read_answers,
    read_manifest,
)

RENDERER_VARIABLE = "MEDALLION_BUNDLE_INIT"
SHOWN = 12


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--template",
        help="the template's git URL or local path (default: the one the last upgrade used)",
    )
    parser.add_argument("--project", type=Path, default=Path.cwd(), help="project folder (default: here)")
    parser.add_argument("--ref", help="a git URL's branch, tag or commit to upgrade to (default: its HEAD)")
    parser.add_argument(
        "--migrate",
        action="store_true",
        help="also rewrite your files (resources, databricks.yml) as the new release's migrations say, "
        "after showing the diff",
    )
    parser.add_argument("--dry-run", action="store_true", help="show the plan, write nothing")


def run(args: argparse.Namespace) -> int:
    project = args.project.resolve()
    try:
        answers = read_answers(project)
        location = _location(args.template) if args.template else _recorded_template(project)
        renderer = _renderer()
        with tempfile.TemporaryDirectory(prefix="medallion-upgrade-") as scratch:
            source = open_template(location, Path(scratch), args.ref)
            render = _render(renderer, source.folder, answers, Path(scratch))
            base = _base(project, source)
            plan = plan_upgrade(project, render, base)
            _print_plan(plan, source, base, args.dry_run)
            migrations = _migrations(render, project, apply=args.migrate and not args.dry_run)
            _print_migrations(migrations, args.migrate, args.dry_run)
            if not args.dry_run:
                apply_upgrade(project, render, plan)
                _record_template(project, source, plan.new_version)
    except (UpgradeError, TemplateSourceError) as error:
        print(f"upgrade: {error}", file=sys.stderr)
        return 2
    return 1 if plan.conflicted and not args.dry_run else 0


def _base(project: Path, source: TemplateSource) -> Base | None:
    """The release the project's helpers came from, found in the template's history."""
    recorded = json.loads((project / ANSWERS_FILE).read_text()).get("commit")
    manifest = read_manifest(project)
    commit = source.base_commit(manifest, recorded)
    if commit is None:
        return None
    return Base(str(manifest.get("version", "?")), lambda relative: source.file_at(commit, relative))


def _migrations(render: Path, project: Path, *, apply: bool) -> str:
    """The new release's pending migrations of the project's files, as a diff (written with
    `apply`). They run from the new render's helpers: this project's may predate them. A
    release from before migrations existed has none."""
    if not (render / "src" / "medallion" / "tooling" / "migrations.py").is_file():
        return ""
    command = [sys.executable, "-m", "medallion.tooling.migrations", "--project", str(project)]
    paths = [str(render / "src"), *filter(None, os.environ.get("PYTHONPATH", "").split(os.pathsep))]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(paths)}
    done = subprocess.run(
        [*command, *(["--apply"] if apply else [])], capture_output=True, text=True, env=env, check=False
    )
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-3:]
        raise UpgradeError("the new release's migrations failed: " + " | ".join(tail))
    return done.stdout


def _recorded_template(project: Path) -> str:
    recorded = json.loads((project / ANSWERS_FILE).read_text()).get("template")
    if not recorded:
        raise UpgradeError("which template? pass --template URL|PATH (it is remembered afterwards)")
    return str(recorded)


def _location(template: str) -> str:
    """A local template path made absolute (it is recorded for the next upgrade); URLs as given."""
    path = Path(template).expanduser()
    return str(path.resolve()) if path.exists() else template


def _renderer() -> list[str]:
    """MEDALLION_BUNDLE_INIT, else the Databricks CLI's `bundle init` (not the legacy CLI)."""
    override = os.environ.get(RENDERER_VARIABLE)
    if override:
        return shlex.split(override)
    cli = shutil.which("databricks")
    if cli is None:
        raise UpgradeError("the Databricks CLI is needed (https://docs.databricks.com/dev-tools/cli/install)")
    probe = subprocess.run([cli, "bundle", "init", "--help"], capture_output=True, text=True, check=False)
    if probe.returncode != 0:
        raise UpgradeError(
            f"{cli} has no `bundle init`: install the current Databricks CLI, not databricks-cli"
        )
    return [cli, "bundle", "init"]


def _render(renderer: list[str], template: Path, answers: dict[str, str], scratch: Path) -> Path:
    config = scratch / "answers.json"
    config.write_text(json.dumps(answers))
    out = scratch / "render"
    command = [*renderer, str(template), "--config-file", str(config), "--output-dir", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise UpgradeError(f"rendering {template} failed (exit {done.returncode}): " + " | ".join(tail))
    rendered = out / answers["project_name"]
    if not rendered.is_dir():
        raise UpgradeError(f"rendering {template} wrote no {answers['project_name']}/ folder")
    return rendered


def _print_plan(plan: Plan, source: TemplateSource, base: Base | None, dry_run: bool) -> None:
    verb = "would" if dry_run else "will"
    commit = (
        f" at {source.commit[:12]}{' with uncommitted changes' if source.dirty else ''}"
        if source.commit
        else ""
    )
    print(
        f"medallion upgrade: {plan.old_version} -> {plan.new_version} (template: {source.location}{commit})"
    )
    if not plan.changes and not plan.kept and not plan.conflicted:
        print("  the template-owned files are up to date")
    else:
        print(
            f"  {verb} replace {len(plan.replaced)}, add {len(plan.added)}, remove {len(plan.removed)}, "
            f"merge {len(plan.merges)} template-owned file(s)"
            + ("" if dry_run else f"; diff in {PLAN_DIR}/template.diff")
        )
    if base is None and (plan.kept or plan.edited):
        print(
            f"  release {plan.old_version} is not in the template's git history: files you changed "
            "cannot be merged"
        )
    _listing("  merged: your changes and the template's, both kept:", plan.merged)
    _listing(
        "  CONFLICTS, marked <<<<<<< yours ... >>>>>>> template: resolve them, then run your tests "
        f"(the template's version is in {PLAN_DIR}/template/):",
        plan.conflicted,
    )
    _listing("  yours, unchanged by the new release (kept):", plan.edited)
    _listing(
        f"  kept, because you changed them (the template's version is in {PLAN_DIR}/template/):", plan.kept
    )
    _listing(
        f"  yours, where the new template differs (not changed; see {PLAN_DIR}/your-files.diff):",
        plan.differing,
    )


def _listing(title: str, paths: list[str]) -> None:
    if not paths:
        return
    print(title)
    for path in paths[:SHOWN]:
        print(f"    {path}")
    if len(paths) > SHOWN:
        print(f"    ... and {len(paths) - SHOWN} more")


def _print_migrations(diff: str, migrate: bool, dry_run: bool) -> None:
    if not diff:
        return
    if migrate and not dry_run:
        print("  migrated your files as the new release needs (the diff follows):")
    elif migrate:
        print("  would migrate your files as the new release needs (the diff follows):")
    else:
        print("  your files need the new release's migrations; rerun with --migrate to write them:")
    print(diff, end="" if diff.endswith("\n") else "\n")


def _record_template(project: Path, source: TemplateSource, release: str) -> None:
    """The template's location, commit and release, for the next upgrade's base."""
    path = project / ANSWERS_FILE
    document = json.loads(path.read_text())
    document["template"] = source.location
    document["release"] = release
    if source.commit and not source.dirty:
        document["commit"] = source.commit
    else:
        document.pop("commit", None)
    path.write_text(json.dumps(document, indent=2) + "\n")
