"""Spark settings of one run, chosen by how much source data it reads.

A small source (the sample, a slice of production) spends most of a run on costs paid per query,
not per row: compiling Spark's generated Java code (about 190 classes in a sample run) and the
update scheduler's sleep between looks at its flows. A large one spends it on rows, where
generated code pays for itself and the scheduler's busy loop would take a core's share. Both
settings are SQL settings of the run's own session (the spec's `configuration`, which
`pyspark.pipelines.cli run` sets on its session and passes as the graph's SQL conf), so one warm
server serves a sample run and a million-row run without a restart. Measured in the template
repository's docs/benchmarks.md, "Settings by source size".
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

MIB = 1024**2
# Below this much source data, expressions are interpreted instead of compiled (warm sample:
# 193 classes compiled per run against 14; 30k orders, 8 MB: 2 s faster; 100k, 27 MB: even;
# 1M, 264 MB: 45% slower, so it must stop well before)
INTERPRETED_BELOW_BYTES = 16 * MIB
# Below this, the scheduler never sleeps between looks (Spark's default sleeps a whole second:
# apache/spark sql/pipelines/.../graph/TriggeredGraphExecution.scala, topologicalExecution,
# `Thread.sleep(...streamStatePollingInterval * 1000)`; 100k orders: 2-3 s faster without it;
# 1M: 8% slower, its loop taking 11-25% of a core)
NO_SLEEP_BELOW_BYTES = 128 * MIB
# Internal Spark settings (SQLConf CODEGEN_FACTORY_MODE, PIPELINES_STREAM_STATE_POLLING_INTERVAL);
# a Spark that no longer knows them ignores them, and the run is only as slow as before.
WHOLE_STAGE_CODEGEN = "spark.sql.codegen.wholeStage"
CODEGEN_FACTORY_MODE = "spark.sql.codegen.factoryMode"
SCHEDULER_SLEEP_S = "spark.sql.pipelines.execution.streamstate.pollingInterval"


@dataclass(frozen=True)
class RunSettings:
    """What a run sets on its sessions and why (`source_bytes` is counted up to the largest
    threshold, so a huge source is never walked to its end)."""

    source_bytes: int
    sql_conf: dict[str, str]

    @property
    def compiled(self) -> bool:
        return self.sql_conf.get(CODEGEN_FACTORY_MODE) != "NO_CODEGEN"

    def describe(self) -> dict[str, Any]:
        """The run report's `settings` entry."""
        return {
            "source_bytes": self.source_bytes,
            "source_bytes_is_lower_bound": self.source_bytes >= NO_SLEEP_BELOW_BYTES,
            "generated_code": self.compiled,
            "scheduler_sleep_s": int(self.sql_conf.get(SCHEDULER_SLEEP_S, "1")),
        }


def source_bytes(folders: Iterable[Path], limit: int = NO_SLEEP_BELOW_BYTES) -> int:
    """Bytes in the files under `folders` (symlinks followed, unreadable entries skipped),
    counted until `limit` is reached."""
    total = 0
    pending = [str(folder) for folder in folders]
    while pending and total < limit:
        try:
            entries = list(os.scandir(pending.pop()))
        except OSError:
            continue
        for entry in entries:
            try:
                if entry.is_dir():
                    pending.append(entry.path)
                elif entry.is_file():
                    total += entry.stat().st_size
            except OSError:
                continue
    return total


def for_source(folders: Iterable[Path]) -> RunSettings:
    """The settings for a run reading the files under `folders` (one per source table)."""
    size = source_bytes(folders)
    conf: dict[str, str] = {}
    if size < INTERPRETED_BELOW_BYTES:
        conf |= {WHOLE_STAGE_CODEGEN: "false", CODEGEN_FACTORY_MODE: "NO_CODEGEN"}
    if size < NO_SLEEP_BELOW_BYTES:
        conf[SCHEDULER_SLEEP_S] = "0"
    return RunSettings(size, conf)
