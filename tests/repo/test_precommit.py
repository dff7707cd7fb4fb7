"""This repository's own pre-commit hooks: a valid configuration whose hooks are all offline
(`repo: local`) and run tools that `make setup` installs."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from tests.rendering import REPO

CONFIG = REPO / ".pre-commit-config.yaml"


def test_the_configuration_is_valid() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "validate-config", str(CONFIG)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


def test_every_hook_is_local_and_runs_an_installed_tool() -> None:
    repos = yaml.safe_load(CONFIG.read_text())["repos"]
    assert [r["repo"] for r in repos] == ["local"]
    ids = set()
    for hook in repos[0]["hooks"]:
        ids.add(hook["id"])
        program = shlex.split(hook["entry"])[0]
        assert hook["language"] == "system", hook["id"]
        assert program.startswith(".venv/bin/"), hook["id"]
        installed = Path(sys.executable).parent / Path(program).name
        assert installed.exists(), f"{hook['id']}: {installed} is not installed (requirements-dev.txt)"
        for argument in shlex.split(hook["entry"])[1:]:
            if argument.endswith(".py"):
                assert (REPO / argument).is_file(), hook["id"]
    assert {"ruff-check", "ruff-format", "mypy"} <= ids
