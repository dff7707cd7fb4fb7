"""No spec makes the loader raise anything but SpecError (no traceback from `medallion validate`):
the retail spec with one value anywhere replaced by a value of another shape, or with a rule,
measure or aggregate replaced by arbitrary text."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from medallion.spec import SpecError, load_spec

VALUES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**20), max_value=10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.lists(st.text(max_size=5), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=3),
)
SQL_TEXT = st.text(alphabet=st.sampled_from(list("abcdeqtuy_ */+-<>=!();,'`\"\\:.0123456789#")), max_size=40)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


def _set(document: Any, path: tuple[Any, ...], value: Any) -> None:
    for part in path[:-1]:
        document = document[part]
    document[path[-1]] = value


@pytest.fixture(scope="module")
def retail(default_project: Path) -> dict[str, Any]:
    return yaml.safe_load((default_project / "medallion.yml").read_text())


def _load(tmp_path: Path, document: Any) -> None:
    path = tmp_path / "medallion.yml"
    path.write_text(yaml.safe_dump(document, sort_keys=False, allow_unicode=True))
    try:
        load_spec(path)
    except SpecError as error:
        assert all(p.message for p in error.problems)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_value_anywhere(tmp_path: Path, retail: dict[str, Any], data: st.DataObject) -> None:
    document = copy.deepcopy(retail)
    path = data.draw(st.sampled_from(_paths(document)))
    _set(document, path, data.draw(VALUES))
    _load(tmp_path, document)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=SQL_TEXT, where=st.sampled_from(["rule", "measure", "aggregate"]))
def test_any_sql_text(tmp_path: Path, retail: dict[str, Any], text: str, where: str) -> None:
    document = copy.deepcopy(retail)
    if where == "rule":
        document["sources"]["orders"]["expectations"][5]["rule"] = text or "x"
    elif where == "measure":
        document["gold"]["facts"]["sales"]["measures"]["amount"] = text or "x"
    else:
        document["gold"]["aggregates"]["daily_sales"]["sql"] = "SELECT " + text
    _load(tmp_path, document)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_bytes_anywhere(tmp_path: Path, default_project: Path, data: st.DataObject) -> None:
    original = (default_project / "medallion.yml").read_bytes()
    at = data.draw(st.integers(min_value=0, max_value=len(original)))
    noise = data.draw(st.binary(min_size=1, max_size=8))
    path = tmp_path / "medallion.yml"
    path.write_bytes(original[:at] + noise + original[at:])
    try:
        load_spec(path)
    except SpecError as error:
        assert all(p.message for p in error.problems)
