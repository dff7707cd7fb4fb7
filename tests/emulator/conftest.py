"""Small hand-written bundles in temporary folders, for the emulator's unit tests."""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

BundleFactory = Callable[..., Path]


@pytest.fixture
def make_bundle(tmp_path: Path) -> BundleFactory:
    """Write `databricks.yml` (and any other files, path -> text) into a fresh folder."""
    counter = iter(range(1000))

    def make(databricks_yml: str, files: dict[str, str] | None = None) -> Path:
        root = tmp_path / f"bundle{next(counter)}"
        root.mkdir()
        (root / "databricks.yml").write_text(textwrap.dedent(databricks_yml))
        for rel, text in (files or {}).items():
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text))
        return root

    return make
