"""Plan and apply `medallion upgrade`: refresh the template-owned files from a newer render.

Template-owned files (src/medallion/, typings/) are listed with their hashes in
src/medallion/template_files.json. A file still holding the bytes its release shipped is
replaced by the new render's version (or removed when the new release dropped it). A file the
user changed is merged three ways when the release it came from is known (base: that
release's file, from the template's git history): the user's edits and the template's changes
both land, and overlapping ones are marked the way git marks conflicts. Without a base the
user's file is kept and the new version is written beside the plan. Everything else
(medallion.yml, resources, transformations, tests) belongs to the user: the upgrade reports
where the new render differs, and rewrites only through a release's migrations (--migrate).
"""

from __future__ import annotations

import difflib
import hashlib
import json
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from medallion.tooling import three_way

ANSWERS_FILE = ".medallion-template.json"
MANIFEST = "src/medallion/template_files.json"
PLAN_DIR = ".medallion/upgrade"
BUNDLE_UUID = re.compile(r"(?m)^  uuid: [0-9a-f-]{36}$")
NEVER_COMPARED = ("medallion.yml", ANSWERS_FILE, MANIFEST)
"""Files the report never proposes changes to (the spec is the user's; the other two are rewritten)."""


class UpgradeError(RuntimeError):
    """The project cannot be upgraded as it is (no answers file, no manifest)."""


@dataclass(frozen=True)
class Base:
    """The release the project was rendered from, and its template-owned files' bytes."""

    release: str
    read: Callable[[str], bytes | None]


@dataclass
class Plan:
    """What an upgrade does, file by file (project-relative paths)."""

    old_version: str
    new_version: str
    replaced: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    merged: list[str] = field(default_factory=list)
    """Template-owned files the user changed and the new release changed too: merged cleanly."""
    conflicted: list[str] = field(default_factory=list)
    """Merged, with conflict markers where both sides changed the same lines."""
    edited: list[str] = field(default_factory=list)
    """Template-owned files the user changed and the new release did not: left as they are."""
    kept: list[str] = field(default_factory=list)
    """Template-owned files the user changed that cannot be merged (no base, not text, deleted):
    left alone, new version saved in PLAN_DIR."""
    merges: dict[str, bytes] = field(default_factory=dict, repr=False)
    differing: list[str] = field(default_factory=list)
    """User-owned files where the new render differs (reported, never written)."""
    diff: str = ""

    @property
    def changes(self) -> int:
        return len(self.replaced) + len(self.added) + len(self.removed) + len(self.merges)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


OWNED_AREAS = ("src/medallion/", "typings/")
"""Where template-owned files live: a manifest entry elsewhere is refused."""


def read_manifest(root: Path) -> dict:
    path = root / MANIFEST
    if not path.is_file():
        raise UpgradeError(f"{path}: missing; this project predates `medallion upgrade`")
    document = json.loads(path.read_text())
    files = document.get("files") if isinstance(document, dict) else None
    if not isinstance(files, dict):
        raise UpgradeError(f"{path}: no `files` object (path -> sha256)")
    for relative in files:
        confined(root, relative, path)
    return document


def confined(root: Path, relative: str, manifest: Path | None = None) -> Path:
    """`root / relative` for a template-owned file, refused (naming the entry) when the path is
    absolute, climbs out with `..`, lies outside OWNED_AREAS, or resolves (through a link)
    outside `root`."""
    where = f"{manifest}: " if manifest else ""
    if not isinstance(relative, str):
        raise UpgradeError(f"{where}entry {relative!r} is not a path: refused")
    parts = Path(relative).parts
    if (
        Path(relative).is_absolute()
        or "\\" in relative
        or ".." in parts
        or not relative.startswith(OWNED_AREAS)
    ):
        raise UpgradeError(
            f"{where}entry {relative!r} is not a template file under {' or '.join(OWNED_AREAS)}: refused, "
            "nothing was written (restore the manifest from version control)"
        )
    target = root / relative
    base = root.resolve()
    if not target.resolve().is_relative_to(base):
        raise UpgradeError(f"{where}entry {relative!r} resolves outside {root} (a link?): refused")
    return target


def read_answers(project: Path) -> dict[str, str]:
    path = project / ANSWERS_FILE
    if not path.is_file():
        raise UpgradeError(
            f"{path}: missing; it records the answers the project was rendered with "
            "(restore it from version control, or write one by hand: an object with `answers`)"
        )
    document = json.loads(path.read_text())
    answers = document.get("answers")
    if not isinstance(answers, dict) or not answers:
        raise UpgradeError(f"{path}: no `answers` object")
    return {str(k): str(v) for k, v in answers.items()}


def plan_upgrade(project: Path, render: Path, base: Base | None = None) -> Plan:
    """Compare the project with a fresh render of the new template (same answers); `base` (the
    project's release) lets edited helpers be merged."""
    old, new = read_manifest(project), read_manifest(render)
    plan = Plan(str(old.get("version", "?")), str(new.get("version", "?")))
    shipped: dict[str, str] = old["files"]
    owned = sorted(set(shipped) | set(new["files"]))
    diffs = []
    for relative in owned:
        mine, theirs = confined(project, relative), confined(render, relative)
        if not theirs.is_file():
            if mine.is_file() and sha256(mine) == shipped.get(relative):
                plan.removed.append(relative)
            elif mine.is_file():
                plan.kept.append(relative)
            continue
        if not mine.is_file():
            if relative in shipped:
                plan.kept.append(relative)  # the user deleted it: theirs is saved, not restored
            else:
                plan.added.append(relative)
            continue
        if mine.read_bytes() == theirs.read_bytes():
            continue
        if sha256(mine) == shipped.get(relative):
            plan.replaced.append(relative)
            diffs.append(_diff(relative, mine, theirs))
        else:
            _merge_edited(plan, relative, mine, theirs, base)
    plan.differing = _user_files_differing(project, render, set(owned))
    plan.diff = "".join(diffs)
    return plan


def _merge_edited(plan: Plan, relative: str, mine: Path, theirs: Path, base: Base | None) -> None:
    """A helper the user changed: merged over the base release when there is one."""
    original = base.read(relative) if base else None
    if base is None or original is None:
        plan.kept.append(relative)
        return
    new = theirs.read_bytes()
    if original == new:
        plan.edited.append(relative)  # the new release did not touch it: the user's file stands
        return
    labels = ("yours", f"release {base.release}", f"template {plan.new_version}")
    try:
        merged = three_way.merge(mine.read_bytes(), original, new, labels)
    except three_way.MergeError:
        plan.kept.append(relative)
        return
    plan.merges[relative] = merged.text
    (plan.conflicted if merged.conflicts else plan.merged).append(relative)


def apply_upgrade(project: Path, render: Path, plan: Plan) -> None:
    """Write the plan: owned files, the new manifest and answers; new versions of kept files and
    the user-owned differences into PLAN_DIR."""
    for relative in [*plan.replaced, *plan.added]:
        target = confined(project, relative)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(confined(render, relative).read_bytes())
    for relative, text in plan.merges.items():
        confined(project, relative).write_bytes(text)
    for relative in plan.removed:
        confined(project, relative).unlink()
    for relative in (MANIFEST, ANSWERS_FILE):
        (project / relative).write_bytes((render / relative).read_bytes())
    saved = project / PLAN_DIR
    shutil.rmtree(saved, ignore_errors=True)  # a previous upgrade's leftovers
    saved.mkdir(parents=True)
    (saved / "template.diff").write_text(plan.diff)
    for relative in [*plan.kept, *plan.conflicted]:
        if confined(render, relative).is_file():
            target = saved / "template" / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes((render / relative).read_bytes())
    if plan.differing:
        (saved / "your-files.diff").write_text(
            "".join(_diff(r, project / r, render / r) for r in plan.differing)
        )


def _user_files_differing(project: Path, render: Path, owned: set[str]) -> list[str]:
    _keep_bundle_uuid(project, render)
    result = []
    for path in sorted(render.rglob("*")):
        relative = path.relative_to(render).as_posix()
        if not path.is_file() or relative in owned or relative in NEVER_COMPARED:
            continue
        mine = project / relative
        if not mine.is_file() or mine.read_bytes() != path.read_bytes():
            result.append(relative)
    return result


def _keep_bundle_uuid(project: Path, render: Path) -> None:
    """Every `bundle init` draws a new bundle.uuid (the CLI's `bundle_uuid` helper): give the
    render the project's own, so that it is not reported as a difference."""
    mine, theirs = project / "databricks.yml", render / "databricks.yml"
    if not (mine.is_file() and theirs.is_file()):
        return
    found = BUNDLE_UUID.search(mine.read_text())
    if found:
        theirs.write_text(BUNDLE_UUID.sub(lambda _: found.group(0), theirs.read_text(), count=1))


def _diff(relative: str, mine: Path, theirs: Path) -> str:
    before = mine.read_text(errors="replace").splitlines(keepends=True) if mine.is_file() else []
    after = theirs.read_text(errors="replace").splitlines(keepends=True)
    return "".join(difflib.unified_diff(before, after, f"a/{relative}", f"b/{relative}"))
