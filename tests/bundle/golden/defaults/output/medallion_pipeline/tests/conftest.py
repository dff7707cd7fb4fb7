"""Shared fixtures of the project's tests (pytest). The pipeline runs are in test_pipeline_local.py."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src"
if str(SRC) not in sys.path:  # also works without `pip install -e .`
    sys.path.insert(0, str(SRC))

from medallion.spec import Spec, load_spec  # noqa: E402

# Notebooks for the workspace (nutter lives in its own venv: tests/nutter/run_local.py).
collect_ignore = ["nutter"]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "pipeline: runs the pipeline on local Spark (slow, serial)")


@pytest.fixture(scope="session")
def root() -> Path:
    return ROOT


@pytest.fixture(scope="session")
def spec() -> Spec:
    return load_spec(ROOT / "medallion.yml")


@pytest.fixture(scope="session")
def subprocess_env() -> dict[str, str]:
    """Environment for `python -m medallion ...` that finds src/ even when not installed."""
    path = os.pathsep.join(p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p)
    return {**os.environ, "PYTHONPATH": path}
