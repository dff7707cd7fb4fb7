"""One local Spark run at a time on this machine (fixed Connect port, single-process Derby).

The holder writes its pid and command line into the lock file, so a run that has to wait says
who it is waiting for (one line).
`MEDALLION_SPARK_LOCK` points the lock elsewhere (tests).
"""

from __future__ import annotations

import fcntl
import os
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_ENV = "MEDALLION_SPARK_LOCK"
WIDTH = 100  # the announcement is one terminal line
LOCK_PATH = Path(os.environ.get(LOCK_ENV) or Path(tempfile.gettempdir()) / "medallion-spark.lock")


def holder_text(path: Path) -> str:
    """Who holds the lock, as its holder wrote it ('pid N: command'), or 'unknown'."""
    try:
        text = path.read_text().strip()
    except OSError:
        return "unknown"
    return text.splitlines()[0] if text else "unknown (a run that does not say who it is, or is ending)"


def _short(message: str) -> str:
    return message if len(message) <= WIDTH else message[: WIDTH - 3] + "..."


def _announce(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def spark_lock(path: Path | None = None, announce: Callable[[str], None] = _announce) -> Iterator[None]:
    """Hold the machine-wide Spark lock (fcntl, released when the process ends); a wait is
    announced once, on one line, with its holder."""
    path = path or Path(os.environ.get(LOCK_ENV) or LOCK_PATH)
    with path.open("a+") as handle:
        announced = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not announced:
                    announce(_short(f"waiting for the local Spark lock, held by {holder_text(path)}"))
                    announced = True
                time.sleep(0.5)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()}: {' '.join(sys.argv)[:300]}\n")
        handle.flush()
        try:
            yield
        finally:
            handle.seek(0)
            handle.truncate()
            handle.flush()
            fcntl.flock(handle, fcntl.LOCK_UN)
