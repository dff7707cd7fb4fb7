"""Find and stop the project Spark servers that tests left running under a folder."""

from __future__ import annotations

import contextlib
import os
import signal
import time
from pathlib import Path

from medallion.tooling.local.connect_server import SERVER_CLASS, stop
from medallion.tooling.local.project import LocalProject

NAME = "medallion server "
GONE_WITHIN_S = 40


def server_jvms(under: Path) -> dict[int, Path]:
    """pid -> project folder of every project server JVM whose project is under `under`."""
    found: dict[int, Path] = {}
    for entry in Path("/proc").iterdir() if Path("/proc").is_dir() else ():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().decode(errors="replace").split("\0")
        except OSError:
            continue
        if SERVER_CLASS not in args:
            continue
        names = [a[len(NAME) :] for a in args if a.startswith(NAME)]
        if names and Path(names[0]).is_relative_to(under):
            found[int(entry.name)] = Path(names[0])
    return found


def stop_leftover_servers(under: Path) -> list[int]:
    """Stop them (`medallion server stop`); the pids of JVMs still alive afterwards."""
    leftovers = server_jvms(under)
    for project in set(leftovers.values()):
        stop(LocalProject(project), echo=lambda _: None)
    deadline = time.monotonic() + GONE_WITHIN_S
    while server_jvms(under) and time.monotonic() < deadline:
        time.sleep(0.5)
    survivors = list(server_jvms(under))
    for pid in survivors:  # never leave them to the next session either
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return survivors
