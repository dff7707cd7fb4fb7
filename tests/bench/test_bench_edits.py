"""The inner-loop bench's rule edit: a real edit of the default spec, judged by dev's own plan."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from bench.edits import EditError, RuleEdit, rule_edit
from bench.options import parse_args
from bench.results import BASELINE, EDIT, FULL, Sample, summarise

from medallion.spec import load_spec


@pytest.fixture
def project(default_project: Path, tmp_path: Path) -> Path:
    shutil.copy(default_project / "medallion.yml", tmp_path / "medallion.yml")
    return tmp_path


def quantity_rule(spec_path: Path) -> str | None:
    """The compiled SQL of the orders' quantity range rule, as the pipeline will judge rows."""
    orders = next(s for s in load_spec(spec_path).sources if s.name == "orders")
    return next(r.rule for r in orders.expectations if r.name == "range_quantity")


def test_each_flip_changes_one_rule_and_selects_only_the_orders_silver_side(project: Path) -> None:
    before = quantity_rule(project / "medallion.yml")
    edit = RuleEdit(project / "medallion.yml")
    selected = edit.flip()
    after = quantity_rule(project / "medallion.yml")
    assert after != before and "9999" in str(after) and "10000" in str(before)
    assert selected == ("silver_orders_history+", "quarantine_orders+")
    assert edit.flip() == selected and quantity_rule(project / "medallion.yml") == before


def test_the_spec_is_put_back_even_when_the_block_fails(project: Path) -> None:
    original = (project / "medallion.yml").read_text()
    with pytest.raises(RuntimeError), rule_edit(project) as edit:
        edit.flip()
        raise RuntimeError("a run failed")
    assert (project / "medallion.yml").read_text() == original


def test_a_spec_without_the_rule_is_refused_by_name(tmp_path: Path) -> None:
    (tmp_path / "medallion.yml").write_text("version: 1\n")
    with pytest.raises(EditError, match=r"medallion\.yml: no rule"):
        RuleEdit(tmp_path / "medallion.yml")


def test_edit_mode_is_for_the_retail_spec_only() -> None:
    assert parse_args(["--modes", "warm,edit"]).modes == ("warm", "edit")
    with pytest.raises(SystemExit):
        parse_args(["--domain", "airline", "--modes", "edit"])


def test_an_edit_rerun_is_compared_with_the_full_batch_run() -> None:
    samples = [
        Sample(FULL, BASELINE, 300, 300, 20.0, 20.0, None),
        Sample(EDIT, "sdp run-local warm --select", 300, 300, 5.0, 8.0, None),
    ]
    edit = next(s for s in summarise(samples) if s.scenario == EDIT)
    assert edit.vs_baseline == 0.25
