"""Three-way merge of one text file with `git merge-file`: the user's edits and the template's
changes since the release the project was rendered from, conflicts marked the way git marks them
(`<<<<<<< yours`, `||||||| release X`, `=======`, `>>>>>>> template Y`)."""

from __future__ import annotations

import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path


class MergeError(RuntimeError):
    """git could not merge (not text, or git failed)."""


@dataclass(frozen=True)
class Merged:
    """The merged text and how many regions conflict (0: clean)."""

    text: bytes
    conflicts: int


def is_text(data: bytes) -> bool:
    """UTF-8 without NUL bytes: what a line merge can handle."""
    if b"\0" in data:
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def merge(yours: bytes, base: bytes, theirs: bytes, labels: tuple[str, str, str]) -> Merged:
    """Merge `theirs` (the new template) into `yours` over their common `base` (diff3 markers:
    a conflict shows the base too, so the reader sees what each side changed)."""
    if not all(is_text(part) for part in (yours, base, theirs)):
        raise MergeError("not a text file")
    with tempfile.TemporaryDirectory(prefix="medallion-merge-") as scratch:
        paths = []
        for name, data in zip(("yours", "base", "theirs"), (yours, base, theirs), strict=True):
            path = Path(scratch) / name
            path.write_bytes(data)
            paths.append(str(path))
        command = ["git", "merge-file", "-p", "--diff3"]
        for label in labels:
            command += ["-L", label]
        try:
            done = subprocess.run([*command, *paths], capture_output=True, check=False)
        except FileNotFoundError as error:
            raise MergeError("git is not installed") from error
    if done.returncode < 0 or done.returncode > 127:
        raise MergeError(f"git merge-file failed: {done.stderr.decode(errors='replace').strip()}")
    return Merged(done.stdout, done.returncode)
