"""The tables of the project's last `medallion run-local`, for tests that read them (the nutter
data tests' local runner): one public entry instead of the runner's internals."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from medallion.tooling.local.config import CATALOG, DATABASE
from medallion.tooling.local.lock import spark_lock
from medallion.tooling.local.project import LocalProject
from medallion.tooling.local.remote_server import RemoteError, RemoteWatch, parse_remote
from medallion.tooling.local.session import connect_session, readback_session


class TablesError(RuntimeError):
    """The tables cannot be reached (a bad --remote, no server answering there)."""


@dataclass(frozen=True)
class RunTables:
    """A Spark session on the run's tables, and where they are."""

    spark: Any
    catalog: str
    schema: str


@contextlib.contextmanager
def last_run_tables(root: Path, remote: str | None = None, schema: str | None = None) -> Iterator[RunTables]:
    """A session on the tables of the last `medallion run-local` in project `root`.

    With `remote` (the sc://HOST:PORT given to `run-local --remote`) the tables are read on that
    server, in the database that run used (default: the project's name); without it, through the
    project's own server when one runs, else on its local metastore under the machine-wide lock
    of local runs (Derby admits one process per metastore). Stopped on exit."""
    project = LocalProject(root)
    with contextlib.ExitStack() as stack:
        if remote:
            try:
                target = parse_remote(remote)
            except RemoteError as error:
                raise TablesError(str(error)) from error
            # retries only while the server answers (pyspark's default retries for ten minutes)
            watch = RemoteWatch(target.host, target.port)
            if not watch.alive():
                raise TablesError(f"--remote {target.shown}: no Spark Connect server answers there")
            spark = stack.enter_context(connect_session(target.endpoint, alive=watch.alive))
            database = schema or project.name
        else:
            stack.enter_context(spark_lock())
            spark = stack.enter_context(readback_session(project))
            database = schema or DATABASE
        yield RunTables(spark, CATALOG, database)
