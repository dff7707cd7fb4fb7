"""Fixtures for issue-7 template tests: render answer sets with tests.rendering, and the default
render's own test suite run once (its two local runs also serve the nutter data tests)."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.rendering import RENDERER, RenderResult, python_with_project, render, render_project
from tests.support.connect_server import ConnectServer
from tests.support.local_run import require_local_engine


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


def project_pytest(
    project: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The project's tests with this interpreter (it has the local and dev extras); src on PYTHONPATH."""
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args]
    environment = python_with_project(project) | (env or {})
    return subprocess.run(command, cwd=project, env=environment, capture_output=True, text=True, timeout=2400)


@dataclass(frozen=True)
class ProjectSuite:
    """A default render after its own full pytest suite ran in it (`result`): the suite's two
    local runs (full refresh, then incremental) left their tables on `remote`, the session's
    shared Spark Connect server, in the database named after the project."""

    project: Path
    result: subprocess.CompletedProcess[str]
    remote: str


@pytest.fixture(scope="session")
def retail_project_suite(
    tmp_path_factory: pytest.TempPathFactory, shared_server: ConnectServer
) -> ProjectSuite:
    """One render and one run of its suite for the session. Its pytest and nutter tests share it
    (a third local run of the same sample would check nothing new), and they live in one file,
    tests/template/test_generated_project.py: `--dist loadfile` keeps a file on one worker, and
    each pytest-xdist worker builds its own session fixtures. Its pipeline runs go to the shared
    server (the project's MEDALLION_TEST_REMOTE): the project server's own cold and warm runs
    are tests/pipeline/test_inner_loop_run.py's and the demo's."""
    require_renderer()
    require_local_engine()
    project = render_project({}, tmp_path_factory.mktemp("retail_suite"))
    result = project_pytest(project, "-rs", env={"MEDALLION_TEST_REMOTE": shared_server.url})
    return ProjectSuite(project, result, shared_server.url)
