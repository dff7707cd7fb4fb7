"""The open-source engine cannot run AUTO CDC on local tables: the reason the local plan differs.

`scripts/auto_cdc_local.py` runs the smallest AUTO CDC pipeline on the installed pyspark. While
this test passes, local runs keep the window plan for `silver_<t>` and SCD2 dimensions (see the
generated README). When it fails because the run COMPLETED, the engine (or a table format it
can now use) supports MERGE: switch the local plan to AUTO CDC too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from auto_cdc_local import reproduce

from tests.support.connect_server import ConnectServer

pytestmark = pytest.mark.pipeline


def test_auto_cdc_needs_merge_which_local_parquet_tables_lack(
    shared_server: ConnectServer, tmp_path: Path
) -> None:
    state, error = reproduce(tmp_path, shared_server.url)
    assert state == "FAILED", "AUTO CDC now runs locally: use it for silver_<t> and SCD2 dimensions"
    assert error.startswith("[AUTOCDC_TARGET_DOES_NOT_SUPPORT_MERGE]") and "(format: parquet)" in error
