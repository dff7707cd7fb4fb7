"""The `medallion` command line: version, usage on a bad flag, refused targets."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from medallion import __version__
from medallion.cli import main
from tests.rendering import render_project
from tests.support.local_run import medallion


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_project({}, tmp_path_factory.mktemp("cli"))


def test_version_is_the_template_release(project: Path) -> None:
    done = medallion(project, "--version")
    assert done.returncode == 0
    assert done.stdout.strip() == f"medallion {__version__} (template release)"


def test_a_bad_flag_prints_the_commands_own_usage(project: Path) -> None:
    done = medallion(project, "validate", "--bogus")
    assert done.returncode == 2
    assert "usage: medallion validate" in done.stderr
    assert "unrecognized arguments: --bogus" in done.stderr


def test_unknown_target_is_refused(project: Path, capsys: pytest.CaptureFixture, monkeypatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")  # offline: no CLI to refuse it for us
    assert main(["settings", "-t", "nope", "--project", str(project)]) == 2
    err = capsys.readouterr().err
    assert "no target 'nope' in databricks.yml; it has: dev, prod, staging" in err


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["sample-data", "--out", "/proc/no/such/place"], "sample-data: cannot write the sample to"),
        (["sample-data", "--out", "sample", "--scale", "0"], "--scale must be 1 or more"),
        (["infer", "/no/such/file.csv", "--out", "spec.yml"], "no such file or folder"),
        (["run-local", "--source", "/no/such/folder"], "--source /no/such/folder: no such folder"),
        (["monitor", "--local", "--report-json-in", "/no/report.json"], "cannot read the local run report"),
        (["validate", "--spec", "/no/medallion.yml"], "cannot read the file"),
        (["settings", "-t", "nope"], "no target 'nope' in databricks.yml"),
        (["deploy", "-t", "dev"], "no `databricks` CLI on PATH"),
    ],
    ids=lambda v: v[0] if isinstance(v, list) else None,
)
def test_error_exits_are_one_clear_line(project: Path, args: list[str], says: str) -> None:
    """Every command's input error exits 2 with its cause, never a traceback."""
    done = medallion(project, *args, env={"PATH": str(Path(sys.executable).parent)}, timeout=120)
    assert done.returncode == 2, done.stdout + done.stderr
    assert says in done.stderr, done.stderr
    assert "Traceback" not in done.stdout + done.stderr
