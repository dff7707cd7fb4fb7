"""`medallion upgrade` writes and deletes template-owned files only: a manifest entry that is
absolute, climbs out with `..`, names a user-owned file or reaches outside through a link is
refused with its name, and nothing is written or deleted anywhere."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from medallion.tooling.upgrade_plan import MANIFEST, UpgradeError, apply_upgrade, plan_upgrade

HELPER = "src/medallion/sql.py"


def tree(root: Path, files: dict[str, bytes], manifest: dict[str, str]) -> Path:
    for relative, data in files.items():
        (root / relative).parent.mkdir(parents=True, exist_ok=True)
        (root / relative).write_bytes(data)
    (root / MANIFEST).parent.mkdir(parents=True, exist_ok=True)
    (root / MANIFEST).write_text(json.dumps({"version": "1", "files": manifest}))
    (root / ".medallion-template.json").write_text(json.dumps({"answers": {"a": "b"}}))
    return root


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.mark.parametrize(
    "entry",
    [
        "../outside.txt",
        "src/medallion/../../../outside.txt",
        "/tmp/outside.txt",
        "resources/medallion_pipeline.job.yml",
        "medallion.yml",
        "src\\medallion\\..\\..\\..\\outside.txt",
    ],
)
def test_an_escaping_manifest_entry_is_refused_and_nothing_is_touched(tmp_path: Path, entry: str) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("not yours\n")
    old = b"# old\n"
    project = tree(tmp_path / "work" / "project", {HELPER: old}, {HELPER: sha(old), entry: sha(b"x")})
    render = tree(tmp_path / "work" / "render", {HELPER: b"# new\n"}, {HELPER: sha(b"# new\n"), entry: "0"})
    before = snapshot(tmp_path)
    with pytest.raises(UpgradeError, match="refused") as refused:
        plan_upgrade(project, render)
    assert repr(entry) in str(refused.value)
    assert snapshot(tmp_path) == before


def test_an_entry_reaching_outside_through_a_link_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "victim.py").write_text("precious\n")
    old = b"# old\n"
    project = tree(tmp_path / "project", {HELPER: old}, {HELPER: sha(old)})
    os.symlink(elsewhere, project / "src" / "medallion" / "linked")
    entry = "src/medallion/linked/victim.py"
    render = tree(tmp_path / "render", {HELPER: old, entry: b"overwritten\n"}, {HELPER: sha(old), entry: "0"})
    with pytest.raises(UpgradeError, match="outside"):
        plan_upgrade(project, render)
    assert (elsewhere / "victim.py").read_text() == "precious\n"


def test_owned_files_are_still_replaced_added_and_removed(tmp_path: Path) -> None:
    old, gone = b"# old\n", b"# dropped\n"
    dropped, added = "src/medallion/legacy.py", "typings/new.pyi"
    project = tree(tmp_path / "project", {HELPER: old, dropped: gone}, {HELPER: sha(old), dropped: sha(gone)})
    render = tree(tmp_path / "render", {HELPER: b"# new\n", added: b"x: int\n"}, {HELPER: "0", added: "0"})
    plan = plan_upgrade(project, render)
    assert (plan.replaced, plan.added, plan.removed) == ([HELPER], [added], [dropped])
    apply_upgrade(project, render, plan)
    assert (project / HELPER).read_bytes() == b"# new\n" and (project / added).is_file()
    assert not (project / dropped).exists()
