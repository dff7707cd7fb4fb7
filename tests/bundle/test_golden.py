"""Each golden case renders exactly as committed: a template change shows up in review as a diff
of what users get (refresh with scripts/refresh_golden.py)."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from tests.support.golden import cases, committed_tree, rendered_tree

SHOWN_DIFF_LINES = 60


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.name)
def test_render_matches_its_golden_output(case: Path, tmp_path: Path) -> None:
    fresh, committed = rendered_tree(case, tmp_path), committed_tree(case)
    missing, extra = sorted(set(committed) - set(fresh)), sorted(set(fresh) - set(committed))
    changed = sorted(p for p in set(fresh) & set(committed) if fresh[p] != committed[p])
    if missing or extra or changed:
        lines = [f"{case.name}: run scripts/refresh_golden.py {case.name} and review the diff"]
        lines += [f"  no longer rendered: {p}" for p in missing] + [f"  new: {p}" for p in extra]
        for path in changed[:3]:
            diff = difflib.unified_diff(
                committed[path].decode(errors="replace").splitlines(),
                fresh[path].decode(errors="replace").splitlines(),
                f"golden/{path}",
                f"render/{path}",
                lineterm="",
            )
            lines += list(diff)[:SHOWN_DIFF_LINES]
        pytest.fail("\n".join(lines))


def test_every_case_has_committed_output() -> None:
    assert len(cases()) >= 7
    for case in cases():
        assert (case / "output").is_dir(), f"{case.name}: run scripts/refresh_golden.py {case.name}"
