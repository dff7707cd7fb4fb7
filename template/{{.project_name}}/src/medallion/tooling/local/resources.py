"""How much of the machine a local run uses: driver memory and cores, with overrides.

The defaults come from the machine (a quarter of its memory, between 1 and 8 GiB; every core
this process may use). `--driver-memory` / `MEDALLION_DRIVER_MEMORY` and `--cores` /
`MEDALLION_CORES` override them. spark-pipelines ignores `spark.driver.memory` in
spark-defaults.conf, so the memory reaches the JVM as `SPARK_DRIVER_MEMORY` in its environment.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

MEMORY_ENV = "MEDALLION_DRIVER_MEMORY"
CORES_ENV = "MEDALLION_CORES"
GIB = 1024**3
MIN_MEMORY_GIB, MAX_MEMORY_GIB = 1, 8
_MEMORY = re.compile(r"^(\d+)([kmgt])?b?$", re.IGNORECASE)
_UNITS = {None: 1, "k": 1024, "m": 1024**2, "g": GIB, "t": 1024**4}
# Spark refuses a driver with less (its reserved memory is 300 MiB, times 1.5)
MIN_DRIVER_BYTES = 450 * 1024**2


class ResourceError(ValueError):
    """A memory or core count that Spark cannot use."""


@dataclass(frozen=True)
class Resources:
    """Driver memory (a JVM size such as `4g`), cores, and where each value came from."""

    driver_memory: str
    cores: int
    memory_from: str = "machine"
    cores_from: str = "machine"

    @property
    def master(self) -> str:
        return f"local[{self.cores}]"

    @property
    def shuffle_partitions(self) -> int:
        return max(2, 2 * self.cores)

    def describe(self) -> str:
        return (
            f"driver memory {self.driver_memory} ({self.memory_from}), "
            f"{self.cores} core{'s' if self.cores > 1 else ''} ({self.cores_from})"
        )


def memory_bytes(size: str) -> int:
    """'4g' -> bytes; ResourceError for anything the JVM would not take."""
    match = _MEMORY.match(size.strip())
    if not match:
        raise ResourceError(f"driver memory {size!r}: use a size such as 2g or 1536m")
    return int(match[1]) * _UNITS[(match[2] or "").lower() or None]


def machine_memory() -> int | None:
    """Physical memory, or the cgroup limit when that is lower (None when unknown)."""
    try:
        total = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    except (ValueError, OSError, AttributeError):
        return None
    for limit_file in (
        Path("/sys/fs/cgroup/memory.max"),
        Path("/sys/fs/cgroup/memory/memory.limit_in_bytes"),
    ):
        try:
            text = limit_file.read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            total = min(total, int(text))
    return total


def machine_cores() -> int:
    """Cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def default_memory(total: int | None) -> str:
    """A quarter of the machine's memory, in whole GiB between MIN and MAX."""
    if total is None:
        return f"{MIN_MEMORY_GIB}g"
    return f"{min(MAX_MEMORY_GIB, max(MIN_MEMORY_GIB, total // 4 // GIB))}g"


def resolve(
    driver_memory: str | None = None,
    cores: int | None = None,
    environ: Mapping[str, str] | None = None,
) -> Resources:
    """Flag, then environment variable, then the machine."""
    environ = os.environ if environ is None else environ
    memory, memory_from = default_memory(machine_memory()), "machine"
    if driver_memory:
        memory, memory_from = driver_memory, "--driver-memory"
    elif environ.get(MEMORY_ENV):
        memory, memory_from = environ[MEMORY_ENV], MEMORY_ENV
    if memory_bytes(memory) < MIN_DRIVER_BYTES:
        raise ResourceError(f"driver memory {memory} ({memory_from}): Spark needs at least 450m")
    count, cores_from = machine_cores(), "machine"
    if cores:
        count, cores_from = cores, "--cores"
    elif environ.get(CORES_ENV):
        text = environ[CORES_ENV].strip()
        if not text.isdigit():
            raise ResourceError(f"{CORES_ENV}={text!r}: use a whole number of cores")
        count, cores_from = int(text), CORES_ENV
    if count < 1:
        raise ResourceError(f"cores {count} ({cores_from}): use 1 or more")
    return Resources(memory.strip().lower(), count, memory_from, cores_from)
