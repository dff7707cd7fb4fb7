"""Shared fixtures: one default render per test session, one Spark Connect server shared by the
pipeline tests, and the check that no Spark server outlives the session.

The helpers under template/{{.project_name}}/src are plain .py files that the renderer copies
byte for byte (tests/bundle/test_helpers_copied_verbatim.py checks it), so unit tests import
them from the template (pytest's `pythonpath` in pyproject.toml puts them, scripts/ and the
repository root on sys.path); tests of generated files use the rendered project.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.rendering import DEFAULT_ANSWERS, render_project
from tests.support.connect_server import ConnectServer, connect_server
from tests.support.spark_session import classic_session

# A project's warm server stops after this long without a run (users get 900 s): the suite
# renders many projects, and their JVMs must not pile up while it goes on.
os.environ.setdefault("MEDALLION_SERVER_IDLE", "60")


# The suite's runs queue behind each other, not behind Spark runs of other sessions or of
# benchmarks on the same machine (each project has its own server, port and metastore; the lock
# only keeps this process's runs one at a time). Under pytest-xdist each worker has its own: the
# controller runs no test and sets none (its environment would reach every worker). Set
# MEDALLION_SPARK_LOCK to share one.
SESSION_LOCK = Path(tempfile.gettempdir()) / f"medallion-tests-{os.getpid()}.lock"
USER_LOCK = os.environ.get("MEDALLION_SPARK_LOCK")


def pytest_configure(config: pytest.Config) -> None:
    controller = bool(getattr(config.option, "numprocesses", None)) and not hasattr(config, "workerinput")
    if not controller and USER_LOCK is None:
        os.environ["MEDALLION_SPARK_LOCK"] = str(SESSION_LOCK)


# What a test outside the `pipeline` and `spark` tiers finds as SPARK_HOME: spark-submit and
# spark-class that refuse to start and leave a mark, so the fast tier provably starts no Spark.
SPARK_GUARD = """#!/bin/sh
echo "$0 $*" >> "$(dirname "$0")/../started"
echo "this test started Spark ($0): mark it pytest.mark.spark (or pipeline), or fake the engine" >&2
exit 97
"""


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that starts Spark through a fixture `spark` (excluded by `make test-fast`):
    the classic session and the shared Connect server. Then put the files that run pipelines
    first, the other Spark files next and the rest last, each file's tests kept together and in
    order: `make test` hands whole files to the xdist workers in this order
    (`--no-loadscope-reorder`), so the minutes-long files start first and the many short ones
    fill the end, instead of one worker finishing a pipeline file alone while the other waits."""
    for item in items:
        if {"spark", "shared_server"} & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.spark)
    items[:] = sorted(items, key=_file_cost_rank(items).__getitem__)


def _file_cost_rank(items: list[pytest.Item]) -> dict[pytest.Item, tuple[int, int]]:
    """Each item's sort key: its file's tier (-1 minutes, 0 pipeline, 1 spark, 2 neither; a file
    takes its heaviest test's tier) and the file's place in the collection."""
    tiers: dict[str, int] = {}
    for item in items:
        tier = (
            -1
            if item.get_closest_marker("minutes")
            else 0
            if item.get_closest_marker("pipeline")
            else 1
            if item.get_closest_marker("spark")
            else 2
        )
        tiers[item.location[0]] = min(tier, tiers.get(item.location[0], 2))
    places = {path: place for place, path in enumerate(dict.fromkeys(item.location[0] for item in items))}
    return {item: (tiers[item.location[0]], places[item.location[0]]) for item in items}


@pytest.fixture(scope="session")
def spark_guard(tmp_path_factory: pytest.TempPathFactory) -> Path:
    home = tmp_path_factory.mktemp("no_spark_home")
    (home / "bin").mkdir()
    for name in ("spark-submit", "spark-class"):
        script = home / "bin" / name
        script.write_text(SPARK_GUARD)
        script.chmod(0o755)
    return home


@pytest.fixture(autouse=True)
def no_spark_outside_the_spark_tiers(
    request: pytest.FixtureRequest, spark_guard: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """A test that is neither `pipeline` nor `spark` gets SPARK_HOME pointing at the guard: if it
    (or a process it starts) launches Spark, it fails here, naming what it started."""
    if any(request.node.get_closest_marker(m) for m in ("pipeline", "spark")):
        yield
        return
    started = spark_guard / "started"
    started.unlink(missing_ok=True)
    monkeypatch.setenv("SPARK_HOME", str(spark_guard))
    yield
    if started.exists():
        what = started.read_text().strip()
        started.unlink()
        pytest.fail(f"a test of the fast tier started Spark: {what}")


@pytest.fixture(scope="session")
def default_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The template rendered with every default answer (the retail sample, JSON files)."""
    return render_project(DEFAULT_ANSWERS, tmp_path_factory.mktemp("default_render"))


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """One classic local Spark session for every test that needs one (tests/support/spark_session.py:
    it starts classic even after a Connect read in this worker)."""
    session = classic_session()
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
    if os.environ.get("MEDALLION_SPARK_LOCK") == str(SESSION_LOCK):
        SESSION_LOCK.unlink(missing_ok=True)
    assert not survivors, f"project Spark servers still running after the tests: {survivors}"
