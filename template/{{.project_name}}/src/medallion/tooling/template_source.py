"""Where `medallion upgrade` takes a template from, which commit that is, and the release a
project was rendered from (the base of a three-way merge).

A template is a git URL (cloned into a scratch folder, optionally at `--ref`), or a local
folder rendered as it is (its HEAD commit recorded when it is a git checkout). The base of a
project is the template commit whose helper manifest (src/medallion/template_files.json) is
the project's: helpers are copied verbatim by `bundle init`, so that commit holds, byte for
byte, every helper the project was rendered with.
"""

from __future__ import annotations

import functools
import json
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from medallion.tooling.upgrade_plan import MANIFEST

TEMPLATE_PARTS = ("databricks_template_schema.json", "library", "template")
"""What `bundle init` reads from a template repository."""


class TemplateSourceError(RuntimeError):
    """The template could not be fetched or read."""


def git_available() -> bool:
    return shutil.which("git") is not None


def _git(folder: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise TemplateSourceError(
            f"git {' '.join(args)} in {folder}: {done.stderr.strip() or done.returncode}"
        )
    return done


def _git_bytes(folder: Path, *args: str) -> bytes | None:
    done = subprocess.run(["git", "-C", str(folder), *args], capture_output=True, check=False)
    return done.stdout if done.returncode == 0 else None


@dataclass(frozen=True)
class TemplateSource:
    """A template ready to render: its folder, and its git checkout when it has one."""

    location: str
    """What the user gave (URL or absolute path); recorded for the next upgrade."""
    folder: Path
    """The folder to render (a local template, or the scratch clone of a URL)."""
    commit: str | None
    """The commit rendered (None: not a git checkout, or no git)."""
    dirty: bool = False
    """A local checkout with uncommitted changes under the template's folders."""

    @property
    def has_history(self) -> bool:
        return self.commit is not None

    def manifest_commits(self) -> list[str]:
        """Commits that changed the helpers' manifest, newest first."""
        if not self.has_history:
            return []
        done = _git(self.folder, "log", "--format=%H", "--", f"template/*/{MANIFEST}", check=False)
        return done.stdout.split() if done.returncode == 0 else []

    def file_at(self, commit: str, relative: str) -> bytes | None:
        """A project file's bytes as the template held them at `commit` (None: absent)."""
        folder = _project_folder(self.folder, commit)
        return _git_bytes(self.folder, "show", f"{commit}:{folder}/{relative}") if folder else None

    def base_commit(self, project_manifest: dict, recorded: str | None = None) -> str | None:
        """The commit the project's helpers came from: its manifest lists the same files and
        hashes (the recorded commit is tried first). None when no commit in the history matches."""
        wanted = project_manifest.get("files")
        candidates = [c for c in (recorded,) if c] + self.manifest_commits()
        for commit in dict.fromkeys(candidates):
            text = self.file_at(commit, MANIFEST)
            if text is None:
                continue
            try:
                if json.loads(text).get("files") == wanted:
                    return commit
            except ValueError:
                continue
        return None


@functools.cache
def _project_folder(checkout: Path, commit: str) -> str | None:
    """The template's one project folder at `commit` (template/ holds it, named after the
    project_name prompt, beside its preamble); None when it has not exactly one. Looked up once
    per commit: a merge reads every edited helper at the base commit."""
    done = _git(checkout, "ls-tree", f"{commit}:template", check=False)
    entries = (line.split("\t", 1) for line in done.stdout.splitlines()) if done.returncode == 0 else ()
    folders = [name for meta, name in entries if meta.split()[1] == "tree"]
    return f"template/{folders[0]}" if len(folders) == 1 else None


def open_template(location: str, scratch: Path, ref: str | None = None) -> TemplateSource:
    """A local folder as it is (with `ref`: a clone of it at that ref), or a clone of a URL."""
    path = Path(location).expanduser()
    if path.is_dir() and ref is None:
        return _local(str(path.resolve()), path.resolve())
    if not git_available():
        raise TemplateSourceError("git is needed to fetch the template (https://git-scm.com/downloads)")
    clone = scratch / "template"
    source = str(path.resolve()) if path.is_dir() else location
    done = subprocess.run(
        ["git", "clone", "--quiet", source, str(clone)], capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise TemplateSourceError(f"git clone {location} failed: {done.stderr.strip()}")
    if ref:
        _git(clone, "checkout", "--quiet", ref)
    commit = _git(clone, "rev-parse", "HEAD").stdout.strip()
    return TemplateSource(source, clone, commit)


def _local(location: str, folder: Path) -> TemplateSource:
    if not git_available():
        return TemplateSource(location, folder, None)
    inside = _git(folder, "rev-parse", "--show-toplevel", check=False)
    if inside.returncode != 0 or Path(inside.stdout.strip()).resolve() != folder:
        return TemplateSource(location, folder, None)  # not the root of a checkout
    commit = _git(folder, "rev-parse", "HEAD", check=False).stdout.strip() or None
    status = _git(folder, "status", "--porcelain", "--", *TEMPLATE_PARTS, check=False).stdout
    return TemplateSource(location, folder, commit, dirty=bool(status.strip()))
