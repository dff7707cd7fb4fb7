"""`medallion deploy` picks the run+monitor job when the bundle also has the setup job."""

from __future__ import annotations

import pytest

from medallion.monitor.errors import ConfigurationError
from medallion.tooling.deploy_loop.bundle import pipeline_job_key

RUN = {
    "tasks": [{"task_key": "run_pipeline", "pipeline_task": {"pipeline_id": "p"}}, {"task_key": "monitor"}]
}
SETUP = {"tasks": [{"task_key": "setup", "sql_task": {"file": {"path": "sql/setup.sql"}}}]}


def test_the_job_running_the_pipeline_is_chosen() -> None:
    assert pipeline_job_key({"shop_job": RUN, "shop_setup": SETUP}, None) == "shop_job"


def test_an_explicit_job_wins() -> None:
    assert pipeline_job_key({"shop_job": RUN, "shop_setup": SETUP}, "shop_setup") == "shop_setup"


def test_two_pipeline_jobs_need_a_choice() -> None:
    with pytest.raises(ConfigurationError, match="choose one with --job"):
        pipeline_job_key({"a": RUN, "b": RUN}, None)
