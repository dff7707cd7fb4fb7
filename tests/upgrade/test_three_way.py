"""Three-way merge of a helper file (git merge-file): clean merges, conflict markers, refusals."""

from __future__ import annotations

import pytest

from medallion.tooling.three_way import MergeError, is_text, merge

BASE = b"one\ntwo\nthree\nfour\nfive\n"
LABELS = ("yours", "release 1.0", "template 1.1")


def test_changes_to_different_lines_both_land() -> None:
    yours = BASE.replace(b"one", b"ONE")
    theirs = BASE.replace(b"five", b"FIVE")
    merged = merge(yours, BASE, theirs, LABELS)
    assert (merged.text, merged.conflicts) == (b"ONE\ntwo\nthree\nfour\nFIVE\n", 0)


def test_the_same_line_changed_twice_is_marked_with_the_base() -> None:
    merged = merge(BASE.replace(b"three", b"3"), BASE, BASE.replace(b"three", b"III"), LABELS)
    assert merged.conflicts == 1
    assert merged.text == (
        b"one\ntwo\n<<<<<<< yours\n3\n||||||| release 1.0\nthree\n=======\nIII\n>>>>>>> template 1.1\n"
        b"four\nfive\n"
    )


def test_two_conflicts_are_counted() -> None:
    yours = BASE.replace(b"one", b"1").replace(b"five", b"5")
    theirs = BASE.replace(b"one", b"I").replace(b"five", b"V")
    assert merge(yours, BASE, theirs, LABELS).conflicts == 2


def test_the_same_change_on_both_sides_is_no_conflict() -> None:
    same = BASE.replace(b"two", b"2")
    merged = merge(same, BASE, same, LABELS)
    assert (merged.text, merged.conflicts) == (same, 0)


@pytest.mark.parametrize("data", [b"\x00\x01binary", b"\xff\xfe not utf-8"])
def test_what_is_not_text_is_refused(data: bytes) -> None:
    assert not is_text(data)
    with pytest.raises(MergeError, match="not a text file"):
        merge(data, BASE, BASE, LABELS)
