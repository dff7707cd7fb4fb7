"""Golden renders, in the style of the Databricks CLI's template acceptance tests: each case is
`tests/bundle/golden/<case>/input.json` (the answers) and `output/` (what users get).

The helper package and the editor stubs (src/medallion/, typings/) are copied verbatim and
checked by their manifest (tests/upgrade/test_render_record.py), so they are left out here:
the golden tree is what differs between answers. The random bundle.uuid is fixed.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

from tests.rendering import REPO, files_of, render

GOLDEN = REPO / "tests" / "bundle" / "golden"
VERBATIM = ("src/medallion/", "typings/")
BUNDLE_UUID = re.compile(rb"(?m)^  uuid: [0-9a-f-]{36}$")
FIXED_UUID = b"  uuid: 00000000-0000-0000-0000-000000000000"
MESSAGES = "output.txt"


def cases() -> list[Path]:
    return sorted(p.parent for p in GOLDEN.glob("*/input.json"))


def rendered_tree(case: Path, scratch: Path) -> dict[str, bytes]:
    """Relative path -> bytes of what `bundle init` writes for the case (plus its messages)."""
    result = render(_answers(case), scratch / case.name)
    if result.returncode != 0 or result.project is None:
        raise AssertionError(f"{case.name}: render failed\n{result.stdout}\n{result.stderr}")
    tree = {MESSAGES: (result.stdout + result.stderr).encode()}
    root = result.output_dir
    for relative in files_of(root):
        project_relative = relative.split("/", 1)[1] if "/" in relative else relative
        if project_relative.startswith(VERBATIM):
            continue
        data = (root / relative).read_bytes()
        if relative.endswith("/databricks.yml"):
            data = BUNDLE_UUID.sub(FIXED_UUID, data)
        tree[f"output/{relative}"] = data
    return tree


def committed_tree(case: Path) -> dict[str, bytes]:
    tree = {f"output/{p}": (case / "output" / p).read_bytes() for p in files_of(case / "output")}
    if (case / MESSAGES).is_file():
        tree[MESSAGES] = (case / MESSAGES).read_bytes()
    return tree


def write_tree(case: Path, tree: dict[str, bytes]) -> None:
    """Replace the case's committed output with `tree`."""
    shutil.rmtree(case / "output", ignore_errors=True)
    for relative, data in tree.items():
        target = case / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def _answers(case: Path) -> dict[str, str]:
    import json

    return json.loads((case / "input.json").read_text())
