"""A failed flow's report names the spec key behind its Spark error (run-local's fix line)."""

from __future__ import annotations

from pathlib import Path

from medallion.tooling.local.runner import _traced_to_spec
from tests.spec.test_compile_checks import RUN_LOCAL_LOG, with_rule

FLOW_FAILED = {"kind": "flow_failed", "cause": "flow quarantine_orders failed", "fix": "see the log"}


def test_fix_names_the_rule_that_spark_refused(default_project: Path, tmp_path: Path) -> None:
    spec = with_rule(default_project, "array_contains(status, 'x') = false")
    log = tmp_path / "pipeline.log"
    log.write_text(RUN_LOCAL_LOG)
    failure = _traced_to_spec(spec, log, FLOW_FAILED)
    assert "sources.orders.expectations[5].rule (rule discount_within_price" in failure["fix"]
    assert failure["cause"] == FLOW_FAILED["cause"]


def test_fix_is_kept_when_no_key_is_recognised(default_project: Path, tmp_path: Path) -> None:
    spec = with_rule(default_project, "discount <= unit_price")
    log = tmp_path / "pipeline.log"
    log.write_text("Error: [INTERNAL_ERROR] the driver restarted\n")
    assert _traced_to_spec(spec, log, FLOW_FAILED) == FLOW_FAILED
    assert _traced_to_spec(spec, tmp_path / "missing.log", FLOW_FAILED) == FLOW_FAILED
