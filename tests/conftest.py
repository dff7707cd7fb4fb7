"""Shared fixtures: one default render per test session, and the helpers on sys.path.

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
