"""medallion.tooling.local.tables: the one entry the generated project's nutter runner uses to
read the last local run's tables. Its refusals name the cause before any Spark starts (the read
itself runs in tests/template/test_generated_project.py and the emulated deploys)."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from medallion.tooling.local.tables import TablesError, last_run_tables


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_remote_nobody_answers_is_named(tmp_path: Path) -> None:
    port = free_port()
    refused = pytest.raises(TablesError, match=f"localhost:{port}: no Spark Connect server answers")
    with refused, last_run_tables(tmp_path, f"sc://localhost:{port}"):
        pass


@pytest.mark.parametrize("remote", ["localhost:15002", "sc://", "http://localhost:15002"])
def test_a_malformed_remote_is_refused(tmp_path: Path, remote: str) -> None:
    with pytest.raises(TablesError), last_run_tables(tmp_path, remote):
        pass
