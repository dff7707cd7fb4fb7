"""Follow `spark-pipelines run` output: one short line per flow state, errors kept aside."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

# "Flow spark_catalog.default.t is RUNNING.", "Flow 'spark_catalog.default.t' has FAILED.",
# "Flow 'spark_catalog.default.t' SKIPPED due to upstream failure(s)."
_FLOW = re.compile(r"Flow '?(?P<flow>[\w.`]+)'?(?: is| has)? (?P<state>[A-Z][A-Z_]{3,})\b")
_RUN = re.compile(r"Run (?:is|has) (?P<state>[A-Z_]+)\b")
TAIL_LINES = 60


def short_name(flow: str) -> str:
    """spark_catalog.default.bronze_orders (or `spark_catalog`.`default`.`bronze_orders`) -> bronze_orders."""
    return flow.rsplit(".", 1)[-1].strip("`'")


@dataclass
class FlowProgress:
    """Flow states seen so far, the run's final state and the other output lines."""

    echo: Callable[[str], None] = print
    started: float = field(default_factory=time.monotonic)
    flows: dict[str, str] = field(default_factory=dict)
    run_state: str | None = None
    other_lines: list[str] = field(default_factory=list)

    def feed(self, line: str) -> None:
        """Consume one output line."""
        line = line.rstrip("\n")
        flow = _FLOW.search(line)
        if flow:
            name = short_name(flow["flow"])
            self.flows[name] = flow["state"]
            self.echo(f"  {time.monotonic() - self.started:6.1f}s  {name:<40} {flow['state']}")
            return
        run = _RUN.search(line)
        if run:
            self.run_state = run["state"]
            return
        if line.strip():
            self.other_lines = [*self.other_lines[-(TAIL_LINES - 1) :], line]

    @property
    def failed_flows(self) -> list[str]:
        return sorted(name for name, state in self.flows.items() if state == "FAILED")
