"""One local Spark run at a time on this machine (fixed Connect port, single-process Derby).

The holder writes its pid and command line into the lock file, so a run that has to wait says
who it is waiting for (one line; another only if a different process takes the lock first).
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
LOCK_PATH = Path(os.environ.get(LOCK_ENV) or Path(tempfile.gettempdir()) / "medallion-spark.lock")


def holder_text(path: Path) -> str:
    """Who holds the lock, as its holder wrote it ('pid N: command'), or 'unknown'."""
    try:
        text = path.read_text().strip()
    except OSError:
        return "unknown"
    return text.splitlines()[0] if text else "unknown (a run that does not say who it is, or is ending)"


def _announce(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@contextmanager
def spark_lock(path: Path | None = None, announce: Callable[[str], None] = _announce) -> Iterator[None]:
    """Hold the machine-wide Spark lock (fcntl, released when the process ends); a wait is
    announced once with its holder, and again only when another process takes it first."""
    path = path or Path(os.environ.get(LOCK_ENV) or LOCK_PATH)
    with path.open("a+") as handle:
        holder = None
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                current = holder_text(path)
                # a holder that is letting go has emptied the file: not a new holder
                if holder is None or (current != holder and current.startswith("pid ")):
                    announce(f"waiting for the local Spark lock {path}, held by {current}")
                    holder = current
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
