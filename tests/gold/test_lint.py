"""Gold query code must not analyse or execute DataFrames: pipeline query functions refuse it
(ATTEMPT_ANALYSIS_IN_PIPELINE_QUERY_FUNCTION on the local engine)."""

from __future__ import annotations

import re

from tests.rendering import TEMPLATE_SRC

GOLD = TEMPLATE_SRC / "medallion" / "gold"
ANALYSIS = re.compile(
    r"\w(?<!medallion\.gold)\.(columns|schema|dtypes)\b(?!\s+import)"  # not the module gold.columns
    r"|\.(collect|count|first|take|toPandas|show)\(\)"
)


def test_no_analysis_in_gold_query_code() -> None:
    offenders = [
        f"{path.name}:{number}: {line.strip()}"
        for path in sorted(GOLD.glob("*.py"))
        for number, line in enumerate(path.read_text().splitlines(), 1)
        if ANALYSIS.search(line)
    ]
    assert offenders == []
