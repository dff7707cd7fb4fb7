"""`medallion infer ... --out medallion.yml` in a fresh project replaces the rendered placeholder
without --force, and never a spec the user edited (no Spark)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from medallion.tooling.commands.infer import is_untouched_placeholder
from tests.rendering import python_with_project, render_project

VARIANTS = {
    "retail_json": {},
    "retail_csv": {"file_format": "csv"},
    "retail_kafka": {"source_type": "kafka"},
    "stub_tables": {"source_tables": "events, users,x_1"},
    "stub_delta": {"source_tables": "events", "source_type": "delta"},
}


@pytest.fixture(scope="module")
def renders(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    return {name: render_project(a, tmp_path_factory.mktemp(name)) for name, a in VARIANTS.items()}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_every_rendered_spec_is_recognised_as_the_placeholder(renders: dict[str, Path], variant: str) -> None:
    """Fails when medallion.yml.tmpl changed: update PLACEHOLDER_HASHES in commands/infer.py."""
    assert is_untouched_placeholder(renders[variant] / "medallion.yml")


def test_an_edited_spec_is_not_the_placeholder(renders: dict[str, Path], tmp_path: Path) -> None:
    for variant in ("retail_json", "stub_tables"):
        text = (renders[variant] / "medallion.yml").read_text()
        for edited in (
            text.replace("0.25", "0.3"),
            text + "# mine\n",
            text.replace("# primary_key: [id]", ""),
        ):
            if edited == text:
                continue
            path = tmp_path / "medallion.yml"
            path.write_text(edited)
            assert not is_untouched_placeholder(path), (variant, edited[-200:])


def infer(project: Path) -> subprocess.CompletedProcess[str]:
    sample = project.parent / "samples"
    sample.mkdir(exist_ok=True)
    (sample / "events.csv").write_text("event_id,amount\n1,2.50\n2,3.00\n3,4.25\n")
    return subprocess.run(
        [sys.executable, "-m", "medallion", "infer", str(sample / "events.csv"), "--out", "medallion.yml"],
        cwd=project,
        env=python_with_project(project),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_infer_replaces_the_fresh_placeholder(renders: dict[str, Path], tmp_path: Path) -> None:
    project = tmp_path / "fresh"
    project.mkdir()
    for name in ("medallion.yml", "src"):
        source = renders["stub_tables"] / name
        target = project / name
        if source.is_dir():
            target.symlink_to(source)
        else:
            target.write_text(source.read_text())
    done = infer(project)
    assert done.returncode == 0, done.stderr
    assert (
        "events:" in (project / "medallion.yml").read_text()
        and "users:" not in (project / "medallion.yml").read_text()
    )
    again = infer(project)  # now it is the user's spec: refused without --force
    assert again.returncode == 2 and "--force" in again.stderr
