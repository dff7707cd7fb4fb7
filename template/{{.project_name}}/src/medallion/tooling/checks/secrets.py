"""Refuse committed workspace hosts and credentials: they belong in the environment.

Usage: python -m medallion.tooling.checks.secrets FILE...   (exit 1 and one line per finding)
A line can opt out with the marker `secrets: allow` (for documented fakes only).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

ALLOW_MARKER = "secrets: allow"

# Workspace URLs name the deployment: keep them in DATABRICKS_HOST / ~/.databrickscfg.
_HOST_LABELS = r"(?<![A-Za-z0-9.-])([A-Za-z0-9][A-Za-z0-9-]*(?:\.[A-Za-z0-9-]+)*)"
PATTERNS: dict[str, re.Pattern[str]] = {
    "Databricks workspace host (AWS)": re.compile(_HOST_LABELS + r"\.cloud\.databricks\.com\b"),
    "Databricks workspace host (Azure)": re.compile(_HOST_LABELS + r"\.azuredatabricks\.net\b"),
    "Databricks workspace host (GCP)": re.compile(_HOST_LABELS + r"\.gcp\.databricks\.com\b"),
    "Databricks personal access token": re.compile(r"\bdapi[0-9a-f]{32}(?:-\d+)?\b"),
    "Databricks OAuth secret": re.compile(r"\bdose[0-9a-f]{32}\b"),
    "Databricks token (other)": re.compile(r"\bd(?:kea|kvt|sapi)[0-9a-f]{32}\b"),
    "GitHub token": re.compile(r"\b(?:gh[pousr])_[A-Za-z0-9]{36}\b|\bgithub_pat_[A-Za-z0-9_]{40,}\b"),
    "AWS access key ID": re.compile(r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b"),
    "private key": re.compile(r"-----BEGIN (?:RSA |EC |DSA |OPENSSH |ENCRYPTED )?PRIVATE KEY-----"),
}

# Hosts that are obviously placeholders in documentation.
PLACEHOLDER_HOSTS = re.compile(r"^(?:example|your[-_]?workspace|my[-_]?workspace|workspace|xxx+|dbc-x+)$")


@dataclass(frozen=True)
class Finding:
    """One suspicious string in one file."""

    path: str
    line: int
    kind: str
    text: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.kind}: {self.text}"


def _redact(text: str) -> str:
    return text if len(text) <= 12 else text[:8] + "..." + text[-2:]


def scan_text(text: str, path: str = "<text>") -> Iterator[Finding]:
    """Yield every finding in `text`, skipping lines that carry the allow marker."""
    for number, line in enumerate(text.splitlines(), start=1):
        if ALLOW_MARKER in line:
            continue
        for kind, pattern in PATTERNS.items():
            for match in pattern.finditer(line):
                if kind.startswith("Databricks workspace host") and PLACEHOLDER_HOSTS.match(match.group(1)):
                    continue
                yield Finding(path, number, kind, _redact(match.group(0)))


def scan_file(path: Path) -> list[Finding]:
    """Findings in one file; binary files are skipped."""
    data = path.read_bytes()
    if b"\0" in data[:8192]:
        return []
    return list(scan_text(data.decode("utf-8", errors="replace"), str(path)))


def main(argv: Sequence[str] | None = None) -> int:
    """Scan the files named on the command line; exit 1 when anything is found."""
    findings = [f for name in (sys.argv[1:] if argv is None else argv) for f in scan_file(Path(name))]
    for finding in findings:
        print(finding)
    if findings:
        print(
            "Keep workspace hosts and credentials out of the repository: use DATABRICKS_HOST, a CLI "
            "profile (~/.databrickscfg) or CI secrets/OIDC. A documented fake may carry '# secrets: allow'.",
            file=sys.stderr,
        )
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
