"""The process that owns a project's Spark Connect server: starts its JVM, stops it when idle.

Run as `python -m medallion.tooling.local.supervisor STATE_DIR` (connect_server.py starts it,
detached).
It reads `launch.json` from STATE_DIR, starts the JVM (which dies with it: Linux parent-death
signal), writes `server.json` once the port answers, and stops the JVM when no run has held
the lease for `idle_s` seconds, on SIGTERM, or exits when the JVM is gone. `exit.json` tells
later callers how the JVM ended.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

TICK_S = 0.5
STOP_GRACE_S = 15.0
PR_SET_PDEATHSIG = 1


def listening(port: int, host: str = "127.0.0.1") -> bool:
    """True when something accepts TCP connections on host:port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def _die_with_parent() -> None:
    """In the child before exec: get SIGKILL when the supervisor dies (Linux only)."""
    name = ctypes.util.find_library("c")
    if name and sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(name).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)


def write_json(path: Path, data: dict[str, Any]) -> None:
    """Write atomically (readers never see half a file)."""
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(data))
    partial.replace(path)


class Supervisor:
    """One JVM, its readiness, its idleness and its end."""

    def __init__(self, state: Path) -> None:
        self.state = state
        self.launch = json.loads((state / "launch.json").read_text())
        self.stop_reason: str | None = None
        self.process: subprocess.Popen[bytes] | None = None

    def _on_signal(self, signum: int, _frame: Any) -> None:
        self.stop_reason = self.stop_reason or f"stopped ({signal.Signals(signum).name})"

    def start(self) -> subprocess.Popen[bytes]:
        log = (self.state / "server.log").open("ab")
        return subprocess.Popen(
            self.launch["command"],
            env=self.launch["env"],
            cwd=self.state,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            preexec_fn=_die_with_parent,  # the supervisor has one thread
        )

    def idle(self) -> bool:
        """No run holds the lease and the last one ended more than idle_s ago."""
        lease = self.state / "lease"
        with lease.open("a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return False
            try:
                last = (self.state / "last_used").stat().st_mtime
            except OSError:
                last = 0.0
            if time.time() - last < float(self.launch["idle_s"]):
                return False
            self.stop_reason = self.stop_reason or "idle"
            self.shutdown()  # still holding the lease: no run can start on a dying server
            return True

    def shutdown(self) -> None:
        """Stop the JVM (SIGTERM, then SIGKILL) and record how it ended."""
        process = self.process
        if process is None:
            return
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(STOP_GRACE_S)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.ended(process.returncode)

    def ended(self, returncode: int | None) -> None:
        with contextlib.suppress(OSError):
            (self.state / "server.json").unlink()
        write_json(
            self.state / "exit.json",
            {"returncode": returncode, "reason": self.stop_reason or "exited", "at": time.time()},
        )

    def run(self) -> int:
        for signum in (signal.SIGTERM, signal.SIGINT, signal.SIGHUP):
            signal.signal(signum, self._on_signal)
        self.process = process = self.start()
        ready = False
        while True:
            if process.poll() is not None:
                self.ended(process.returncode)
                return 0 if ready else 1
            if self.stop_reason:
                self.shutdown()
                return 0
            if not ready and listening(int(self.launch["port"])):
                ready = True
                info = {**self.launch["info"], "pid": process.pid, "supervisor_pid": os.getpid()}
                write_json(self.state / "server.json", info)
            if ready and self.idle():
                return 0
            time.sleep(TICK_S)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    return Supervisor(Path(args[0])).run()


if __name__ == "__main__":
    sys.exit(main())
