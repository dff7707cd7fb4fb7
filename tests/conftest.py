"""Shared fixtures: one default render per test session, the helpers on sys.path, one Spark
Connect server shared by the pipeline tests, and the check that no Spark server outlives the
session.

The helpers under template/{{.project_name}}/src are plain .py files that the renderer copies
byte for byte (tests/bundle/test_helpers_copied_verbatim.py checks it), so unit tests import
them from the template; tests of generated files use the rendered project.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.rendering import DEFAULT_ANSWERS, REPO, render_project
from tests.support.connect_server import ConnectServer, connect_server

# A project's warm server stops after this long without a run (users get 900 s): the suite
# renders many projects, and their JVMs must not pile up while it goes on.
os.environ.setdefault("MEDALLION_SERVER_IDLE", "60")

HELPERS_SRC = REPO / "template" / "{{.project_name}}" / "src"
if str(HELPERS_SRC) not in sys.path:
    sys.path.insert(0, str(HELPERS_SRC))


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that starts a classic Spark session `spark` (excluded by `make test-fast`)."""
    for item in items:
        if "spark" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.spark)


@pytest.fixture(scope="session")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template rendered with every default answer (the retail sample, JSON files)."""
    return render_project(DEFAULT_ANSWERS, tmp_path_factory.mktemp("default_render"))


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One classic local Spark session (loopback only, UTC) for every test that needs one."""
    os.environ.pop("SPARK_REMOTE", None)
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    from pyspark.sql import SparkSession

    session = (
        SparkSession.builder.master("local[2]")
        .appName("medallion-template-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.sql.session.timeZone", "UTC")
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.fixture(scope="session")
def shared_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectServer]:
    """One Spark Connect server for the pipeline tests that run `run-local --remote` on it."""
    with connect_server(tmp_path_factory.mktemp("shared_server")) as server:
        yield server


@pytest.fixture(scope="session", autouse=True)
def no_leaked_servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """After the session: stop every project server the tests left warm (as `medallion server
    stop` does) and fail when one of their JVMs survives it."""
    yield
    from tests.support.server_leaks import stop_leftover_servers

    survivors = stop_leftover_servers(tmp_path_factory.getbasetemp())
    assert not survivors, f"project Spark servers still running after the tests: {survivors}"
