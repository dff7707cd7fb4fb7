"""The one error type a bad spec raises: every problem with file, key path and fix."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class SpecProblem:
    """One problem: where it is and what to do about it."""

    key: str
    message: str

    def render(self, path: Path) -> str:
        return f"{path}: {self.key or '(top level)'}: {self.message}"


class SpecError(ValueError):
    """medallion.yml is invalid; str() lists every problem, one per line."""

    def __init__(self, path: Path, problems: list[SpecProblem]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(p.render(path) for p in problems))
