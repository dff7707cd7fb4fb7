"""Shared fixtures: one default render per test session."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rendering import DEFAULT_ANSWERS, render_project


@pytest.fixture(scope="session")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template rendered with every default answer (the retail sample, JSON files)."""
    return render_project(DEFAULT_ANSWERS, tmp_path_factory.mktemp("default_render"))
