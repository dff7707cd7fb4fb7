"""Gold query code must not analyse or execute DataFrames: pipeline query functions refuse it
(ATTEMPT_ANALYSIS_IN_PIPELINE_QUERY_FUNCTION on the local engine)."""

from __future__ import annotations

import re

from tests.rendering import TEMPLATE_SRC

GOLD = TEMPLATE_SRC / "medallion" / "gold"
ANALYSIS = re.compile(
    r"\w\.(columns|schema|dtypes)\b(?!\s+import)|\.(collect|count|first|take|toPandas|show)\(\)"
)
REPORT_ONLY = {"metrics.py"}  # runs after the pipeline, on a plain session


def test_no_analysis_in_gold_query_code() -> None:
    offenders = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(GOLD.glob("*.py"))
        if path.name not in REPORT_ONLY
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if ANALYSIS.search(line)
    ]
    assert offenders == []
