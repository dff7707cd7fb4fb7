"""Run a command and measure it: wall seconds and the peak RSS of its process tree (/proc sampling)."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

PROC = Path("/proc")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE") if hasattr(os, "sysconf") else 4096
SAMPLE_EVERY_S = 0.25
TAIL_CHARS = 4000


@dataclass(frozen=True)
class Measurement:
    """One measured command."""

    wall_s: float
    peak_rss_mb: float | None
    returncode: int
    output_tail: str


def parent_map(proc: Path = PROC) -> dict[int, int]:
    """pid -> parent pid for every visible process (reads /proc/<pid>/stat)."""
    parents: dict[int, int] = {}
    for entry in proc.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        # the command name (field 2) may hold spaces: parse after its closing parenthesis
        fields = stat[stat.rfind(")") + 2 :].split()
        parents[int(entry.name)] = int(fields[1])
    return parents


def descendants(root: int, parents: dict[int, int]) -> set[int]:
    """`root` and every process below it."""
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    found, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


def statm(pid: int, proc: Path = PROC) -> tuple[int, ...] | None:
    """/proc/<pid>/statm in pages (size, resident, shared, text, lib, data, dt); None when gone."""
    try:
        return tuple(int(f) for f in (proc / str(pid) / "statm").read_text().split())
    except (OSError, ValueError):
        return None


def tree_rss_bytes(pids: Iterable[int], parents: dict[int, int], proc: Path = PROC) -> int:
    """Summed RSS of `pids`, counting a memory shared with the parent once.

    The JVM starts helper commands (Hadoop's local file system runs `readlink`, `chmod`) with
    vfork/posix_spawn: until the child executes, it runs in the JVM's own memory, and its statm
    equals the JVM's field for field. Summed naively, such a sample counts the JVM twice (seen:
    7 GB "peaks" on a 2 GB warm server); a child whose statm equals its parent's is skipped.
    """
    found = {pid: statm(pid, proc) for pid in pids}
    total = 0
    for pid, pages in found.items():
        if not pages or len(pages) < 2:
            continue
        if found.get(parents.get(pid, -1)) == pages:  # the JVM is in the set beside its children
            continue  # same memory as its parent: not yet executed
        total += pages[1] * PAGE_SIZE
    return total


class PeakRss:
    """Samples the summed RSS of a process tree (plus extra pids) in a background thread."""

    def __init__(self, root: int, extra: Callable[[], Iterable[int]] = tuple) -> None:
        self.root, self.extra, self.peak = root, extra, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def sample(self) -> int:
        parents = parent_map()
        pids = descendants(self.root, parents)
        for pid in self.extra():
            pids |= descendants(pid, parents)
        total = tree_rss_bytes(pids, parents)
        self.peak = max(self.peak, total)
        return total

    def _loop(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(SAMPLE_EVERY_S)

    def __enter__(self) -> PeakRss:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def run_measured(
    command: list[str],
    env: dict[str, str],
    cwd: Path | None = None,
    extra_pids: Callable[[], Iterable[int]] = tuple,
    timeout_s: float = 3600,
) -> Measurement:
    """Run `command` to the end; wall time and peak RSS of its tree (and of `extra_pids`' trees)."""
    started = time.monotonic()
    with subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        with PeakRss(process.pid, extra_pids) as peak:
            output, _ = process.communicate(timeout=timeout_s)
        wall = time.monotonic() - started
    has_proc = PROC.is_dir()
    return Measurement(
        round(wall, 2),
        round(peak.peak / 2**20, 1) if has_proc else None,
        process.returncode,
        (output or "")[-TAIL_CHARS:],
    )
