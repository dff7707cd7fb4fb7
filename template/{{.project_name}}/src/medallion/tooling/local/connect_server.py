"""The project's own Spark Connect server: one warm JVM for the pipeline and its report.

It listens on 127.0.0.1 only, on a free port of its own (several projects can each have one),
asks for a token that only this user can read, and keeps the project's Derby metastore to
itself, so the report queries the same server the pipeline ran on. It stays up between runs
and a supervisor process stops it after `MEDALLION_SERVER_IDLE` seconds without a run (default
900). Files live in `.medallion/server/`: `server.json` (pid, port), `server.log`, `token`.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import medallion
from medallion.tooling.local.config import spark_environment, write_conf_dir
from medallion.tooling.local.project import LocalProject
from medallion.tooling.local.resources import Resources
from medallion.tooling.local.supervisor import listening

SERVER_CLASS = "org.apache.spark.sql.connect.service.SparkConnectServer"
IDLE_ENV = "MEDALLION_SERVER_IDLE"
DEFAULT_IDLE_S = 900
READY_TIMEOUT_S = 240.0
STOP_TIMEOUT_S = 30.0
Echo = Callable[[str], None]


class ServerError(RuntimeError):
    """The server could not be started (the message has the cause and the log to read)."""


@dataclass(frozen=True)
class Endpoint:
    """Where a Spark Connect server answers, and how to authenticate to it."""

    url: str  # sc://host:port, no token in it (it is printed)
    token: str | None = None
    pid: int | None = None  # the JVM, for our own server
    warm: bool = False  # it was already running before this run

    @property
    def session_url(self) -> str:
        """The URL for SparkSession.builder.remote (token as a parameter)."""
        return f"{self.url}/;token={self.token}" if self.token else self.url

    def client_env(self, env: dict[str, str]) -> dict[str, str]:
        """`env` for a process that connects here (pyspark reads SPARK_REMOTE and the token)."""
        dropped = ("SPARK_CONNECT_MODE_ENABLED", "SPARK_LOCAL_REMOTE")
        clean = {k: v for k, v in env.items() if k not in dropped}
        extra = {"SPARK_CONNECT_AUTHENTICATE_TOKEN": self.token} if self.token else {}
        return clean | {"SPARK_REMOTE": self.url} | extra


@dataclass(frozen=True)
class ServerFiles:
    """The files of one project's server (the supervisor uses the same names)."""

    root: Path

    @classmethod
    def of(cls, project: LocalProject) -> ServerFiles:
        return cls(project.state / "server")

    info = property(lambda self: self.root / "server.json")
    launch = property(lambda self: self.root / "launch.json")
    exit = property(lambda self: self.root / "exit.json")
    token = property(lambda self: self.root / "token")
    log = property(lambda self: self.root / "server.log")
    lease = property(lambda self: self.root / "lease")
    last_used = property(lambda self: self.root / "last_used")
    start_lock = property(lambda self: self.root / "start.lock")


def idle_seconds(environ: dict[str, str] | None = None) -> float:
    """MEDALLION_SERVER_IDLE (seconds), else 900."""
    text = (environ if environ is not None else os.environ).get(IDLE_ENV, "").strip()
    try:
        return float(text) if text else float(DEFAULT_IDLE_S)
    except ValueError as error:
        raise ServerError(f"{IDLE_ENV}={text!r}: use a number of seconds") from error


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def is_server_process(pid: int) -> bool:
    """True when `pid` is a live Spark Connect server JVM."""
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        ps = ["ps", "-ww", "-p", str(pid), "-o", "command="]
        listing = subprocess.run(ps, capture_output=True, text=True, check=False)
        cmdline = listing.stdout if listing.returncode == 0 else ""
    return SERVER_CLASS in cmdline


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    state = Path(f"/proc/{pid}/stat")
    with contextlib.suppress(OSError):
        return state.read_text().rpartition(") ")[2].split()[0] != "Z"
    return True


def fingerprint(project: LocalProject, resources: Resources) -> str:
    """What the server was started with: a different one needs a new server."""
    import pyspark

    conf = (project.conf_dir / "spark-defaults.conf").read_text()
    # One interpreter however it was spelled (`.venv/bin/python`, `x/../.venv/bin/python`): not
    # resolved through symlinks, which would lose which venv it is.
    python = os.path.abspath(sys.executable)
    text = json.dumps([conf, resources.driver_memory, resources.cores, pyspark.__version__, python])
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def running(project: LocalProject) -> dict[str, Any] | None:
    """The project's server as `server.json` records it, when its JVM is alive and answering."""
    info = _read_json(ServerFiles.of(project).info)
    if not info or not pid_alive(int(info["pid"])) or not is_server_process(int(info["pid"])):
        return None
    return info if listening(int(info["port"])) else None


def _write_private(path: Path, text: str) -> None:
    """Write a file only this user can read (it holds the server's token)."""
    with contextlib.suppress(OSError):
        path.unlink()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(text)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _spark_home() -> Path:
    import pyspark

    return Path(os.environ.get("SPARK_HOME") or Path(pyspark.__file__).parent)


def launch_command(project: LocalProject, resources: Resources, port: int) -> list[str]:
    """spark-submit of the Connect server (settings come from the project's SPARK_CONF_DIR)."""
    return [
        str(_spark_home() / "bin" / "spark-submit"),
        "--class",
        SERVER_CLASS,
        "--name",
        f"medallion server {project.root.resolve()}",
        "--master",
        resources.master,
        "--conf",
        f"spark.connect.grpc.binding.port={port}",
    ]


def _start(project: LocalProject, resources: Resources, files: ServerFiles, echo: Echo) -> dict[str, Any]:
    """Start a supervisor and its JVM; return server.json once the port answers."""
    token = secrets.token_hex(16)
    _write_private(files.token, token)
    port = _free_port()
    env = spark_environment(project, resources) | {
        "SPARK_HOME": str(_spark_home()),
        "SPARK_CONNECT_AUTHENTICATE_TOKEN": token,
        "SPARK_CONNECT_MODE": "0",
    }
    for key in ("SPARK_REMOTE", "SPARK_LOCAL_REMOTE", "SPARK_CONNECT_MODE_ENABLED"):
        env.pop(key, None)
    info = {"port": port, "fingerprint": fingerprint(project, resources), "started_at": time.time()}
    launch = {"command": launch_command(project, resources, port), "env": env, "port": port}
    _write_private(files.launch, json.dumps(launch | {"idle_s": idle_seconds(), "info": info}))
    for stale in (files.info, files.exit):
        with contextlib.suppress(OSError):
            stale.unlink()
    helpers = str(Path(medallion.__file__).resolve().parents[1])  # the folder holding `medallion`
    python_path = os.pathsep.join(p for p in (helpers, os.environ.get("PYTHONPATH")) if p)
    with (files.root / "supervisor.log").open("ab") as log:
        supervisor = subprocess.Popen(
            [sys.executable, "-m", "medallion.tooling.local.supervisor", str(files.root)],
            env={**os.environ, "PYTHONPATH": python_path},
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    # the log relative to the project: one line of the run's output, whatever the folder's depth
    shown = files.log.relative_to(project.root) if files.log.is_relative_to(project.root) else files.log
    echo(f"starting the project's Spark server on 127.0.0.1:{port} (log: {shown})")
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        info_now = _read_json(files.info)
        if info_now:
            return info_now
        if supervisor.poll() is not None:
            break
        time.sleep(0.2)
    else:
        _signal(supervisor.pid, signal.SIGTERM)
    raise ServerError(f"the Spark server did not start: {_log_tail_line(files.log)} (log: {files.log})")


def _log_tail_line(log: Path) -> str:
    from medallion.tooling.local.failure import first_error_line

    lines = server_log_tail(log)
    return first_error_line(lines) or (lines[-1] if lines else "no output")


def server_log_tail(log: Path, lines: int = 200) -> list[str]:
    """The last lines of a server log (empty when there is none)."""
    try:
        with log.open("rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(0, handle.tell() - 64_000))
            return handle.read().decode(errors="replace").splitlines()[-lines:]
    except OSError:
        return []


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.kill(pid, sig)


def stop(project: LocalProject, echo: Echo = print) -> bool:
    """Stop the project's server (True when one was running); waits until its JVM is gone."""
    files = ServerFiles.of(project)
    info = _read_json(files.info)
    if not info:
        return False
    jvm, supervisor = int(info["pid"]), int(info.get("supervisor_pid") or 0)
    if not (pid_alive(jvm) and is_server_process(jvm)):
        with contextlib.suppress(OSError):
            files.info.unlink()
        return False
    _signal(supervisor if supervisor and pid_alive(supervisor) else jvm, signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while pid_alive(jvm) and time.monotonic() < deadline:
        time.sleep(0.2)
    if pid_alive(jvm):
        _signal(jvm, signal.SIGKILL)
    with contextlib.suppress(OSError):
        files.info.unlink()
    echo(f"stopped the project's Spark server (pid {jvm})")
    return True


@contextlib.contextmanager
def _flock(path: Path, mode: int) -> Iterator[IO[str]]:
    with path.open("a+") as handle:
        fcntl.flock(handle, mode)
        try:
            yield handle
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def serving(
    project: LocalProject, resources: Resources, *, cold: bool = False, echo: Echo = print
) -> Iterator[Endpoint]:
    """The project's server for one run (started, or reused when warm and started with the same
    settings); the run holds a lease, so the idle shutdown never stops it under a run."""
    files = ServerFiles.of(project)
    files.root.mkdir(parents=True, exist_ok=True)
    write_conf_dir(project, resources)
    with _flock(files.start_lock, fcntl.LOCK_EX):
        lease = files.lease.open("a+")
        fcntl.flock(lease, fcntl.LOCK_SH)  # waits while an idle shutdown is under way
        try:
            info = running(project)
            wanted = fingerprint(project, resources)
            if info and (cold or info.get("fingerprint") != wanted):
                why = "--cold" if cold else "its settings changed"
                echo(f"restarting the project's Spark server ({why})")
                stop(project, echo=lambda _: None)
                info = None
            warm = info is not None
            if info is None:
                info = _start(project, resources, files, echo)
        except BaseException:
            lease.close()
            raise
    token = files.token.read_text().strip()
    try:
        yield Endpoint(f"sc://localhost:{info['port']}", token, int(info["pid"]), warm)
    finally:
        files.last_used.touch()
        lease.close()  # releases the shared lease


def status(project: LocalProject) -> dict[str, Any]:
    """What `medallion server status` prints: running or not, pid, port, idle shutdown."""
    info = running(project)
    files = ServerFiles.of(project)
    if info is None:
        ended = _read_json(files.exit) or {}
        return {"running": False, "last_exit": ended.get("reason"), "log": str(files.log)}
    try:
        idle_for = time.time() - files.last_used.stat().st_mtime
    except OSError:
        idle_for = time.time() - float(info.get("started_at", time.time()))
    launch = _read_json(files.launch) or {}
    return {
        "running": True,
        "pid": info["pid"],
        "url": f"sc://localhost:{info['port']}",
        "idle_s": round(idle_for, 1),
        "stops_after_idle_s": launch.get("idle_s"),
        "log": str(files.log),
    }


@dataclass(frozen=True)
class OwnServerWatch:
    """The project's server seen by the watchdog: its JVM, its log, how it ended."""

    pid: int
    files: ServerFiles

    @classmethod
    def of(cls, project: LocalProject, endpoint: Endpoint) -> OwnServerWatch:
        assert endpoint.pid is not None
        return cls(endpoint.pid, ServerFiles.of(project))

    def alive(self) -> bool:
        return pid_alive(self.pid)

    def tail(self) -> list[str]:
        return server_log_tail(self.files.log)

    def returncode(self) -> int | None:
        ended = _read_json(self.files.exit) or {}
        code = ended.get("returncode")
        return int(code) if isinstance(code, int) else None
