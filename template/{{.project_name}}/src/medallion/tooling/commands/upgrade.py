"""`medallion upgrade [--template URL|PATH]`: take a newer template release's helpers.

The template is rendered again (`databricks bundle init TEMPLATE --config-file ANSWERS`) with
the answers saved in .medallion-template.json; see medallion.tooling.upgrade_plan for what is replaced.
MEDALLION_BUNDLE_INIT names another renderer with the same flags (the template repository's
offline `scripts/bundle-init`).
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

from medallion.tooling.upgrade_plan import (
    ANSWERS_FILE,
    PLAN_DIR,
    Plan,
    UpgradeError,
    apply_upgrade,
    plan_upgrade,
    read_answers,
)

RENDERER_VARIABLE = "MEDALLION_BUNDLE_INIT"
SHOWN = 12


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--template",
        help="the template's git URL or local path (default: the one the last upgrade used)",
    )
    parser.add_argument("--project", type=Path, default=Path.cwd(), help="project folder (default: here)")
    parser.add_argument("--dry-run", action="store_true", help="show the plan, write nothing")


def run(args: argparse.Namespace) -> int:
    project = args.project.resolve()
    try:
        answers = read_answers(project)
        template = _location(args.template) if args.template else _recorded_template(project)
        renderer = _renderer()
        with tempfile.TemporaryDirectory(prefix="medallion-upgrade-") as scratch:
            render = _render(renderer, template, answers, Path(scratch))
            plan = plan_upgrade(project, render)
            _print_plan(plan, template, args.dry_run)
            if not args.dry_run:
                apply_upgrade(project, render, plan)
                _record_template(project, template)
    except UpgradeError as error:
        print(f"upgrade: {error}", file=sys.stderr)
        return 2
    return 0


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


def _render(renderer: list[str], template: str, answers: dict[str, str], scratch: Path) -> Path:
    config = scratch / "answers.json"
    config.write_text(json.dumps(answers))
    out = scratch / "render"
    command = [*renderer, template, "--config-file", str(config), "--output-dir", str(out)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip().splitlines()[-5:]
        raise UpgradeError(f"rendering {template} failed (exit {done.returncode}): " + " | ".join(tail))
    rendered = out / answers["project_name"]
    if not rendered.is_dir():
        raise UpgradeError(f"rendering {template} wrote no {answers['project_name']}/ folder")
    return rendered


def _print_plan(plan: Plan, template: str, dry_run: bool) -> None:
    verb = "would" if dry_run else "will"
    print(f"medallion upgrade: {plan.old_version} -> {plan.new_version} (template: {template})")
    if not plan.changes and not plan.kept:
        print("  the template-owned files are up to date")
    else:
        print(
            f"  {verb} replace {len(plan.replaced)}, add {len(plan.added)}, remove {len(plan.removed)} "
            f"template-owned file(s); diff in {PLAN_DIR}/template.diff"
        )
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


def _record_template(project: Path, template: str) -> None:
    path = project / ANSWERS_FILE
    document = json.loads(path.read_text())
    document["template"] = template
    path.write_text(json.dumps(document, indent=2) + "\n")
