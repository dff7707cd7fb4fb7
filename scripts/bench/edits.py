"""The inner loop's edit: one silver rule of the spec changed between two warm runs.

The edit flips the orders' quantity range (`max: 10000` <-> `max: 9999`): a change of one
rule's threshold, so `medallion dev`'s plan (tooling/local/changes.py) reruns the orders'
silver history and quarantine from scratch and their dependants, nothing else.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

RULE = "{use: range, column: quantity, min: 1, max: %d, action: drop}"
BOUNDS = (10000, 9999)


class EditError(RuntimeError):
    """The spec has no orders quantity rule to edit (the bench edits the retail spec only)."""


class RuleEdit:
    """Flips the rule in `medallion.yml`; each flip returns the `--select` patterns of dev's plan."""

    def __init__(self, spec_path: Path) -> None:
        self.spec_path = spec_path
        self.original = spec_path.read_text()
        found = [bound for bound in BOUNDS if RULE % bound in self.original]
        if not found:
            raise EditError(f"{spec_path}: no rule {RULE % BOUNDS[0]!r} to edit (retail spec only)")
        self.bound = found[0]

    def flip(self) -> tuple[str, ...]:
        """Write the other bound; return the tables `medallion dev` would rerun for it."""
        from medallion.spec import load_spec  # the rendered project's helpers (on sys.path)
        from medallion.tooling.local.changes import plan

        before = load_spec(self.spec_path)
        other = BOUNDS[1] if self.bound == BOUNDS[0] else BOUNDS[0]
        text = self.spec_path.read_text().replace(RULE % self.bound, RULE % other)
        self.spec_path.write_text(text)
        self.bound = other
        rerun = plan(before, load_spec(self.spec_path))
        if not rerun.select:
            raise EditError(f"dev's plan reruns everything after the edit ({rerun.why}): nothing to select")
        return rerun.select

    def restore(self) -> None:
        self.spec_path.write_text(self.original)


@contextmanager
def rule_edit(project: Path) -> Iterator[RuleEdit]:
    """A RuleEdit on the project's spec, put back as it was afterwards."""
    edit = RuleEdit(project / "medallion.yml")
    try:
        yield edit
    finally:
        edit.restore()
