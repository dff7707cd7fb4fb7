"""`run-local --remote sc://HOST:PORT`: a Spark Connect server the user names.

The server must see this machine's paths (the project's sources and `.medallion/` checkpoints):
the same machine, or a cluster with the project on a shared file system. Tables go to a
database of its default catalog (`--database`, by default the project's name).
"""

from __future__ import annotations

import socket
from dataclasses import dataclass
from urllib.parse import urlparse

from medallion.tooling.local.connect_server import Endpoint

DEFAULT_PORT = 15002


class RemoteError(ValueError):
    """--remote is not a Spark Connect URL."""


@dataclass(frozen=True)
class RemoteTarget:
    """A parsed --remote: where to connect, and how to show it (parameters such as a token hidden)."""

    url: str
    host: str
    port: int

    @property
    def shown(self) -> str:
        return f"sc://{self.host}:{self.port}"

    @property
    def endpoint(self) -> Endpoint:
        return Endpoint(self.url)


def parse_remote(url: str) -> RemoteTarget:
    """sc://HOST[:PORT][/;param=value...] (pyspark's connection string); RemoteError otherwise."""
    parsed = urlparse(url.strip())
    if parsed.scheme != "sc" or not parsed.hostname:
        raise RemoteError(f"--remote {url}: expected a Spark Connect URL such as sc://HOST:15002")
    try:
        port = parsed.port or DEFAULT_PORT
    except ValueError as error:
        raise RemoteError(f"--remote {url}: the port must be a number from 1 to 65535") from error
    return RemoteTarget(url.strip(), parsed.hostname, port)


@dataclass(frozen=True)
class RemoteWatch:
    """A remote server is alive while its port accepts connections (its log is not ours)."""

    host: str
    port: int

    def alive(self) -> bool:
        try:
            with socket.create_connection((self.host, self.port), timeout=2.0):
                return True
        except OSError:
            return False

    def tail(self) -> list[str]:
        return []

    def returncode(self) -> int | None:
        return None
