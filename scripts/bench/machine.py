"""Facts about the machine and software a benchmark ran on."""

from __future__ import annotations

import datetime as dt
import os
import platform
import subprocess
import sys
from importlib import metadata
from pathlib import Path


def memory_gb(meminfo: Path = Path("/proc/meminfo")) -> float | None:
    """Total memory in GiB (None where /proc is missing)."""
    try:
        for line in meminfo.read_text().splitlines():
            if line.startswith("MemTotal:"):
                return round(int(line.split()[1]) / 2**20, 1)
    except OSError:
        return None
    return None


def java_version() -> str:
    """First line of `java -version` (it prints to stderr)."""
    try:
        done = subprocess.run(["java", "-version"], capture_output=True, text=True, check=False)
    except OSError:
        return "not found"
    lines = (done.stderr or done.stdout).strip().splitlines()
    return lines[0] if lines else "unknown"


def package_version(name: str) -> str:
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def load_1m() -> float | None:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:
        return None


def machine_facts() -> dict[str, object]:
    return {
        "date": dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "nproc": os.cpu_count(),
        "memory_gb": memory_gb(),
        "os": platform.platform(),
        "python": platform.python_version(),
        "python_executable": sys.executable,
        "java": java_version(),
        "pyspark": package_version("pyspark"),
        "load_1m_at_start": load_1m(),
    }


def facts_markdown(facts: dict[str, object]) -> str:
    keys = ("date", "nproc", "memory_gb", "os", "python", "java", "pyspark", "load_1m_at_start")
    return "\n".join(f"- {key}: {facts.get(key)}" for key in keys)
