"""`medallion landing-folders`: the job's first task makes one folder per files source."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rendering import render_project
from tests.support.local_run import medallion


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_project({}, tmp_path_factory.mktemp("landing"))


def test_creates_a_folder_per_source_and_keeps_what_landed(project: Path, tmp_path: Path) -> None:
    root = tmp_path / "landing"
    (root / "orders").mkdir(parents=True)
    (root / "orders" / "part-0001.json").write_text('{"order_id": "1"}\n')
    done = medallion(
        project, "landing-folders", "--root", str(root), "--spec", str(project / "medallion.yml")
    )
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in root.iterdir()) == ["customers", "orders", "products"]
    assert (root / "orders" / "part-0001.json").read_text() == '{"order_id": "1"}\n'
    assert "(created)" in next(line for line in done.stdout.splitlines() if line.startswith("customers"))
    assert "(created)" not in next(line for line in done.stdout.splitlines() if line.startswith("orders"))
    again = medallion(
        project, "landing-folders", "--root", str(root), "--spec", str(project / "medallion.yml")
    )
    assert again.returncode == 0 and "(created)" not in again.stdout


def test_a_bad_spec_is_named_and_nothing_is_created(project: Path, tmp_path: Path) -> None:
    spec = tmp_path / "medallion.yml"
    spec.write_text("version: 1\nsources: 5\n")
    done = medallion(project, "landing-folders", "--root", str(tmp_path / "landing"), "--spec", str(spec))
    assert done.returncode == 2 and str(spec) in done.stderr
    assert not (tmp_path / "landing").exists()


def test_an_unwritable_root_is_an_error_with_its_cause(project: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    done = medallion(
        project, "landing-folders", "--root", str(blocker), "--spec", str(project / "medallion.yml")
    )
    assert done.returncode == 2 and "cannot create" in done.stderr
