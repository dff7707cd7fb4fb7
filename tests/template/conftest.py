"""Fixtures for issue-7 template tests: render answer sets with tests.rendering."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.rendering import RENDERER, RenderResult, render, render_project


def require_renderer() -> None:
    """Skip when the offline renderer has not landed in this checkout."""
    if not RENDERER.exists():
        pytest.skip("scripts/bundle-init (the offline renderer) is not in this checkout")


@pytest.fixture
def render_answers(tmp_path: Path) -> Callable[..., Path]:
    """`render_answers(**answers)` -> the rendered project folder (a fresh folder per call)."""
    require_renderer()
    counter = iter(range(1000))

    def _render(**answers: Any) -> Path:
        return render_project({k: str(v) for k, v in answers.items()}, tmp_path / f"render{next(counter)}")

    return _render


@pytest.fixture
def try_render(tmp_path: Path) -> Callable[..., RenderResult]:
    """`try_render(**answers)` -> RenderResult, for answers the prompts should refuse."""
    require_renderer()
    counter = iter(range(1000))

    def _render(**answers: Any) -> RenderResult:
        return render({k: str(v) for k, v in answers.items()}, tmp_path / f"try{next(counter)}")

    return _render
