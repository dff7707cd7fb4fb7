"""One local Spark run at a time on this machine (fixed Connect port, single-process Derby)."""

from __future__ import annotations

import fcntl
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

LOCK_PATH = Path(tempfile.gettempdir()) / "medallion-spark.lock"


@contextmanager
def spark_lock(path: Path = LOCK_PATH) -> Iterator[None]:
    """Hold the machine-wide Spark lock (fcntl, released when the process ends)."""
    with path.open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
