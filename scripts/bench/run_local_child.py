"""`medallion run-local ...` for the benchmark, whose parent process already holds the Spark lock.

The benchmark holds the machine-wide lock (medallion/tooling/local/lock.py) around each measurement,
and around a whole warm phase so that no other run meets its reused server on port 15002;
a second flock from this child would wait for the parent forever, so the runner's lock is
replaced by a no-op here. Everything else is the real command.
"""

from __future__ import annotations

import contextlib
import sys

from medallion.cli import main
from medallion.tooling.local import runner

runner.spark_lock = contextlib.nullcontext  # type: ignore[assignment]

if __name__ == "__main__":
    sys.exit(main(["run-local", *sys.argv[1:]]))
