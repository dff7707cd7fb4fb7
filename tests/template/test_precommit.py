"""The generated project's pre-commit hooks run offline (repo: local) and pass on a fresh render."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.rendering import python_with_project

FAKE_PAT = "dapi" + "0123456789abcdef" * 2


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def pre_commit(repo: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """`pre-commit run --all-files` with this venv's tools and a private hook cache."""
    env = python_with_project(repo)
    env.update(PRE_COMMIT_HOME=str(home), PRE_COMMIT_COLOR="never", GIT_CONFIG_NOSYSTEM="1")
    env.pop("PRE_COMMIT", None)
    command = [
        str(Path(sys.executable).parent / "pre-commit"),
        "run",
        "--all-files",
        "--show-diff-on-failure",
    ]
    return subprocess.run(
        command, cwd=repo, env=env, capture_output=True, text=True, timeout=600, check=False
    )


@pytest.fixture
def repo(render_answers, tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is needed")
    project = render_answers(ci="github")
    git(project, "init", "-q")
    git(project, "add", "-A")
    return project


def test_hooks_pass_on_a_fresh_project(repo: Path, tmp_path: Path) -> None:
    config = (repo / ".pre-commit-config.yaml").read_text()
    assert "repo: local" in config and "https://" not in config
    result = pre_commit(repo, tmp_path / "pre-commit-home")
    assert result.returncode == 0, result.stdout + result.stderr
    for hook in ("ruff check", "ruff format", "YAML parses", "no workspace hosts or tokens"):
        assert hook in result.stdout


def test_hooks_catch_a_committed_token_and_bad_yaml(repo: Path, tmp_path: Path) -> None:
    (repo / "leak.cfg").write_text(
        f"[DEFAULT]\nhost = https://dbc-12345678-9abc.cloud.databricks.com\ntoken = {FAKE_PAT}\n"
    )
    (repo / "broken.yml").write_text("a: [1, 2\n")
    git(repo, "add", "leak.cfg", "broken.yml")
    result = pre_commit(repo, tmp_path / "pre-commit-home")
    assert result.returncode != 0
    assert "leak.cfg:2: Databricks workspace host (AWS)" in result.stdout
    assert "leak.cfg:3: Databricks personal access token" in result.stdout
    assert FAKE_PAT not in result.stdout
    assert "broken.yml:" in result.stdout
    assert os.path.exists(repo / "leak.cfg")
