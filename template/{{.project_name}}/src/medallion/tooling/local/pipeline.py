"""Run the pipeline client as a child process, follow its flows, and never wait on a dead run.

On a server (the project's own, or one named with --remote) the child is the pipelines CLI in
Python, connected to it (no launcher JVM). Without one, the child is `spark-pipelines` with a
`local[N]` master: its launcher JVM starts the Connect server (a second JVM) in the same
process group. A watchdog stops the run within seconds when the server is gone while the run
is still going (killed, or exited on an OutOfMemoryError: the client would otherwise retry for
about ten minutes), when the output shows an OutOfMemoryError, or when the client has exited
but its output stays open.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from medallion.tooling.local import failure as failures
from medallion.tooling.local.failure import Failure
from medallion.tooling.local.progress import FlowProgress, LiveLine

MASTER = "local[2]"
POLL_S = 0.25
SCAN_S = 1.0  # how often the watchdog looks for the server's JVM
SERVER_GONE_GRACE_S = 5.0  # a client whose server is gone may still exit by itself
EXIT_GRACE_S = 5.0  # after the launcher exits, its output must close
OOM_GRACE_S = 1.0  # let the lines after an OutOfMemoryError reach the log
KILL_GRACE_S = 3.0  # SIGTERM, then SIGKILL
GIVE_UP_S = 10.0  # after SIGKILL, stop reading even if something holds the output open
RECENT_LINES = 400


class ServerWatch(Protocol):
    """A server the run depends on, seen from outside: is it there, and what did it say last."""

    def alive(self) -> bool: ...

    def tail(self) -> list[str]: ...

    def returncode(self) -> int | None: ...


@dataclass(frozen=True)
class PipelineRun:
    """How the pipeline process ended (`failure` says why when it did not complete)."""

    returncode: int
    duration_s: float
    flows: dict[str, str]
    run_state: str | None
    output_tail: list[str]
    failure: Failure | None = None
    stopped: bool = False  # the watchdog stopped the process group

    @property
    def ok(self) -> bool:
        return (
            self.failure is None
            and self.returncode == 0
            and not any(s == "FAILED" for s in self.flows.values())
        )

    @property
    def server_lost(self) -> bool:
        """The run was cut short: nothing after it can be trusted to be complete."""
        return self.failure is not None and self.failure.kind in ("out_of_memory", "server_died", "stalled")


def command(
    spec: Path,
    full_refresh: bool,
    env: dict[str, str],
    master: str = MASTER,
    refresh: list[str] | None = None,
) -> list[str]:
    """The pipeline client's command line: the pipelines CLI in Python when `env` names a
    server (SPARK_REMOTE), else spark-pipelines with a local master (from the env's PATH).
    `refresh` (spark-pipelines' --refresh / --full-refresh lists) replaces `full_refresh`."""
    selection = refresh if refresh is not None else (["--full-refresh-all"] if full_refresh else [])
    if env.get("SPARK_REMOTE"):
        python = env.get("PYSPARK_PYTHON") or sys.executable
        return [python, "-m", "pyspark.pipelines.cli", "run", "--spec", str(spec), *selection]
    executable = shutil.which("spark-pipelines", path=env.get("PATH"))
    if executable is None:
        raise FileNotFoundError("spark-pipelines not found: install pyspark[pipelines]==4.3.0")
    return [executable, "--remote", master, "run", "--spec", str(spec), *selection]


def group_processes(pgid: int) -> dict[int, str]:
    """pid -> executable name of every process in process group `pgid` (Linux /proc, else ps)."""
    found: dict[int, str] = {}
    proc = Path("/proc")
    if proc.is_dir():
        for entry in proc.iterdir():
            if not entry.name.isdigit():
                continue
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            name, _, rest = stat.partition(" (")[2].rpartition(") ")
            fields = rest.split()
            if len(fields) > 2 and fields[2] == str(pgid) and fields[0] != "Z":
                found[int(entry.name)] = name
        return found
    listing = subprocess.run(["ps", "-A", "-o", "pid=,pgid=,stat=,comm="], capture_output=True, text=True)
    for line in listing.stdout.splitlines():
        parts = line.split(None, 3)
        if len(parts) == 4 and parts[1] == str(pgid) and not parts[2].startswith("Z"):
            found[int(parts[0])] = os.path.basename(parts[3])
    return found


def server_jvms(launcher: int) -> set[int]:
    """The Java processes of the run other than the launcher itself: the Connect server."""
    return {pid for pid, name in group_processes(launcher).items() if name == "java" and pid != launcher}


def _pump(stream: IO[str], lines: queue.Queue[str | None]) -> None:
    try:
        for line in stream:
            lines.put(line)
    except (ValueError, OSError):  # closed under us after the watchdog gave up on it
        pass
    lines.put(None)


def _signal_group(pgid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, sig)


class _Watchdog:
    """Decides when to stop the run and why."""

    def __init__(
        self,
        process: subprocess.Popen[str],
        progress: FlowProgress,
        driver_memory: str,
        server: ServerWatch | None = None,
    ) -> None:
        self.process, self.progress, self.driver_memory = process, progress, driver_memory
        self.server = server
        self.recent: deque[str] = deque(maxlen=RECENT_LINES)
        self.failure: Failure | None = None
        self.stop_at: float | None = None
        self.servers: set[int] = set()
        self.next_scan = 0.0
        self.server_gone_at: float | None = None
        self.exited_at: float | None = None

    def feed(self, line: str, now: float) -> None:
        self.recent.append(line.rstrip("\n"))
        if self.failure is None and failures.OUT_OF_MEMORY.search(line):
            self.stop(failures.out_of_memory(self.driver_memory, line), now + OOM_GRACE_S)

    def stop(self, failure: Failure, at: float) -> None:
        if self.failure is None:
            self.failure = failure
        self.stop_at = at if self.stop_at is None else min(self.stop_at, at)

    def tick(self, now: float) -> None:
        if self.exited_at is None and self.process.poll() is not None:
            self.exited_at = now
        if self.exited_at is not None:
            if now - self.exited_at > EXIT_GRACE_S:
                self.stop(failures.stalled(now - self.exited_at), now)
            return
        if now < self.next_scan:
            return
        self.next_scan = now + SCAN_S
        if self.server is not None:
            self._check_server(now)
            return
        alive = server_jvms(self.process.pid)
        self.servers |= alive
        if alive or not self.servers or self.progress.run_state is not None:
            self.server_gone_at = None
            return
        self.server_gone_at = self.server_gone_at or now
        if now - self.server_gone_at >= SERVER_GONE_GRACE_S:
            self.stop(failures.server_died(None, self.driver_memory, list(self.recent)), now)

    def _check_server(self, now: float) -> None:
        """A separate server (ours or --remote): stop soon after it stops answering."""
        assert self.server is not None
        if self.server.alive() or self.progress.run_state is not None:
            self.server_gone_at = None
            return
        self.server_gone_at = self.server_gone_at or now
        if now - self.server_gone_at < SERVER_GONE_GRACE_S / 2:
            return
        self.stop(failures.server_lost(self.server.returncode(), self.driver_memory, self.server.tail()), now)


def run_pipeline(
    spec: Path,
    env: dict[str, str],
    log: Path,
    full_refresh: bool = False,
    echo: Callable[[str], None] = print,
    master: str = MASTER,
    live: bool = False,
    *,
    refresh: list[str] | None = None,
    server: ServerWatch | None = None,
    layers: dict[str, str] | None = None,
) -> PipelineRun:
    """Run the pipeline to its end (or stop it when it cannot end well), showing flow states
    (one live line with `live`, else a line per completed layer of `layers`, table -> layer, or per
    change without them); all output goes to `log`.
    `server` is the separate server `env` connects to (SPARK_REMOTE), watched while it runs."""
    progress = FlowProgress(echo=echo, live=LiveLine() if live else None, layers=dict(layers or {}))
    started = time.monotonic()
    stopped_at: float | None = None
    killed = False
    with (
        log.open("w") as log_file,
        subprocess.Popen(
            command(spec, full_refresh, env, master, refresh),
            cwd=spec.parent,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
            start_new_session=True,
        ) as process,
    ):
        assert process.stdout is not None
        watchdog = _Watchdog(process, progress, env.get("SPARK_DRIVER_MEMORY", "1g"), server)
        lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=_pump, args=(process.stdout, lines), daemon=True).start()
        try:
            while True:
                try:
                    line = lines.get(timeout=POLL_S)
                except queue.Empty:
                    line = ""
                if line is None:
                    break
                now = time.monotonic()
                if line:
                    log_file.write(line)
                    progress.feed(line)
                    watchdog.feed(line, now)
                watchdog.tick(now)
                if watchdog.stop_at is not None and now >= watchdog.stop_at and stopped_at is None:
                    stopped_at = now
                    _signal_group(process.pid, signal.SIGTERM)
                if stopped_at is not None and not killed and now - stopped_at > KILL_GRACE_S:
                    killed = True
                    _signal_group(process.pid, signal.SIGKILL)
                if stopped_at is not None and now - stopped_at > KILL_GRACE_S + GIVE_UP_S:
                    break
        except BaseException:  # Ctrl-C or anything else: never leave the JVMs behind
            _signal_group(process.pid, signal.SIGKILL)
            raise
        finally:
            progress.finish()
        if stopped_at is not None:
            _signal_group(process.pid, signal.SIGKILL)  # whatever is left of the group
        try:
            returncode = process.wait(timeout=KILL_GRACE_S)
        except subprocess.TimeoutExpired:
            process.kill()
            returncode = process.wait()
    failure = watchdog.failure or _ended_badly(returncode, progress, list(watchdog.recent))
    return PipelineRun(
        returncode,
        time.monotonic() - started,
        progress.final_flows(),
        progress.run_state,
        progress.other_lines,
        failure,
        stopped_at is not None,
    )


def _ended_badly(returncode: int, progress: FlowProgress, recent: list[str]) -> Failure | None:
    """Why a run that ended by itself did not complete (None when it did)."""
    if progress.failed_flows:
        return failures.schema_change(failures.flow_failed(progress.failed_flows, recent), recent)
    if returncode != 0 or progress.run_state not in (None, "COMPLETED"):
        return failures.schema_change(failures.exited(returncode, recent), recent)
    return None
