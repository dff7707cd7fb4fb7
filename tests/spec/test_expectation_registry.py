"""The expectation sets have one home (medallion.expectations): the generated README's table
follows it (the schema's `use` and parameters: tests/spec/test_spec_schema.py), and every set the
schema offers really loads."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from medallion.expectations import EXPECTATION_SETS
from medallion.spec import SpecError, load_spec
from tests.rendering import REPO

SYNC = REPO / "scripts" / "sync_spec_docs.py"
SCHEMA = REPO / "template" / "{{.project_name}}" / "src" / "medallion" / "spec" / "medallion.schema.json"
README = REPO / "template" / "{{.project_name}}" / "README.md.tmpl"
PARAMETERS = {
    "column": "quantity",
    "columns": ["quantity"],
    "values": [1, 2],
    "pattern": "^[0-9]+$",
    "min": 0,
    "max": 10,
    "max_age": "1 day",
}
TIME_COLUMN = {"not_in_future": "order_ts", "freshness": "order_ts"}


def test_generated_places_match_the_registry() -> None:
    done = subprocess.run([sys.executable, str(SYNC), "--check"], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def test_the_readme_table_lists_every_set_and_a_stale_one_is_rewritten() -> None:
    import sync_spec_docs as sync

    text = README.read_text()
    table = text.split(sync.START)[1].split(sync.END)[0]
    assert all(f"| `{name}` |" in table for name in EXPECTATION_SETS)
    stale = text.replace("| `freshness` |", "| `fresh` |")
    assert stale != text and sync.synced_readme(stale, sync.registry()) == text


def minimal_entry(use: str) -> dict:
    """A `use:` entry with exactly the required parameters of the set."""
    entry: dict = {"use": use, "action": "warn"}
    for requirement in EXPECTATION_SETS[use].required:
        option = requirement.split("|")[0]
        entry[option] = PARAMETERS[option]
        if option == "column" and use in TIME_COLUMN:
            entry[option] = TIME_COLUMN[use]
    if use == "range":
        entry["min"] = 0
    return entry


@pytest.mark.parametrize(
    "use", json.loads(SCHEMA.read_text())["$defs"]["expectation"]["properties"]["use"]["enum"]
)
def test_every_set_the_schema_offers_loads(use: str, default_project: Path, tmp_path: Path) -> None:
    document = yaml.safe_load((default_project / "medallion.yml").read_text())
    document["sources"]["orders"]["expectations"] = [minimal_entry(use)]
    path = tmp_path / "medallion.yml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    orders = load_spec(path).source("orders")
    assert {e.use for e in orders.expectations} == {use}


def test_a_set_outside_the_registry_is_refused(default_project: Path, tmp_path: Path) -> None:
    document = yaml.safe_load((default_project / "medallion.yml").read_text())
    document["sources"]["orders"]["expectations"] = [
        {"use": "is_positive", "column": "quantity", "action": "warn"}
    ]
    path = tmp_path / "medallion.yml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert "sources.orders.expectations[0].use" in str(caught.value) and "not_null" in str(caught.value)
