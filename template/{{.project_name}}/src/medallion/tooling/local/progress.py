"""Follow `spark-pipelines run` output: flow states (one live line on a terminal; else one line
per layer as it completes, with an estimate of what is left, or a line per change when the
layers are not known), errors kept aside. The full output goes to the pipeline log."""

from __future__ import annotations

import re
import shutil
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TextIO

# "Flow spark_catalog.default.t is RUNNING.", "Flow 'spark_catalog.default.t' has FAILED.",
# "Flow 'spark_catalog.default.t' SKIPPED due to upstream failure(s)."
_FLOW = re.compile(r"Flow '?(?P<flow>[\w.`]+)'?(?: is| has)? (?P<state>[A-Z][A-Z_]{3,})\b")
_RUN = re.compile(r"Run (?:is|has) (?P<state>[A-Z_]+)\b")
TAIL_LINES = 60
STARTED_STATES = ("PLANNING", "STARTING", "RUNNING")
LAYER_NAMES = {
    "bronze": "bronze",
    "silver_history": "silver history and quarantine",
    "quarantine": "silver history and quarantine",
    "silver": "silver",
    "gold": "gold",
    "quality": "quality metrics",
}
"""How a table's layer (naming.expected_tables) is named in the quiet output: quarantine and
the silver history are one step (one judges what the other keeps)."""


def short_name(flow: str) -> str:
    """spark_catalog.default.bronze_orders (or `spark_catalog`.`default`.`bronze_orders`) -> bronze_orders."""
    return flow.rsplit(".", 1)[-1].strip("`'")


class LiveLine:
    """One terminal line rewritten in place (carriage return), ended by close()."""

    def __init__(self, stream: TextIO | None = None) -> None:
        self.stream = stream or sys.stdout
        self.shown = 0

    def __call__(self, text: str) -> None:
        width = max(20, shutil.get_terminal_size((100, 20)).columns - 1)
        text = text[:width]
        self.stream.write("\r" + text.ljust(self.shown))
        self.stream.flush()
        self.shown = len(text)

    def close(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
            self.shown = 0


@dataclass
class FlowProgress:
    """Flow states seen so far, the run's final state and the other output lines.

    With `live`, flow changes update one status line (done/total, failures, what runs now);
    otherwise each change is echoed on its own line.
    """

    echo: Callable[[str], None] = print
    live: LiveLine | None = None
    started: float = field(default_factory=time.monotonic)
    flows: dict[str, str] = field(default_factory=dict)
    run_state: str | None = None
    other_lines: list[str] = field(default_factory=list)
    layers: dict[str, str] = field(default_factory=dict)
    """table -> layer of the tables this run refreshes; when given (and not live), one line per
    completed layer instead of one per flow change."""
    announced: set[str] = field(default_factory=set)

    def status(self) -> str:
        """'  12.3s  flows 5/17 completed, 1 failed; now: silver_orders_history, ...'"""
        counts = Counter(self.flows.values())
        parts = [f"flows {counts['COMPLETED']}/{len(self.flows)} completed"]
        parts += [f"{counts[s]} {s.lower()}" for s in ("FAILED", "SKIPPED") if counts[s]]
        running = [n for n, s in self.flows.items() if s in STARTED_STATES]
        now = f"; now: {', '.join(running)}" if running else ""
        return f"  {time.monotonic() - self.started:6.1f}s  {', '.join(parts)}{now}"

    def finish(self) -> None:
        """End the live line with the final tally."""
        if self.live is not None:
            self.live(self.status().split("; now:")[0])
            self.live.close()

    def feed(self, line: str) -> None:
        """Consume one output line."""
        line = line.rstrip("\n")
        flow = _FLOW.search(line)
        if flow:
            name = short_name(flow["flow"])
            # A failed attempt ends with COMPLETED and FAILED, printed in either order (a retry
            # starts again with STARTING): a COMPLETED right after FAILED does not undo it
            if not (flow["state"] == "COMPLETED" and self.flows.get(name) == "FAILED"):
                self.flows[name] = flow["state"]
            if self.live is not None:
                self.live(self.status())
            elif self.layers and name in self.layers:
                self._layer_lines(name, flow["state"])
            elif not self.layers:
                self.echo(f"  {time.monotonic() - self.started:6.1f}s  {name:<40} {flow['state']}")
            return
        run = _RUN.search(line)
        if run:
            self.run_state = run["state"]
            return
        if line.strip():
            self.other_lines = [*self.other_lines[-(TAIL_LINES - 1) :], line]

    def _layer_lines(self, name: str, state: str) -> None:
        """A failed or skipped flow at once; a layer once all its tables completed, with the
        time so far and an estimate of what is left (elapsed per completed table)."""
        elapsed = time.monotonic() - self.started
        if state in ("FAILED", "SKIPPED"):
            self.echo(f"  {elapsed:6.1f}s  {name} {state}")
            return
        done = [t for t in self.layers if self.flows.get(t) == "COMPLETED"]
        for layer in dict.fromkeys(LAYER_NAMES.get(v, v) for v in self.layers.values()):
            tables = [t for t, v in self.layers.items() if LAYER_NAMES.get(v, v) == layer]
            if layer in self.announced or not all(self.flows.get(t) == "COMPLETED" for t in tables):
                continue
            self.announced.add(layer)
            left = len(self.layers) - len(done)
            estimate = f"; about {elapsed / len(done) * left:.0f}s left" if left and done else ""
            self.echo(f"  {elapsed:6.1f}s  {layer} done ({len(tables)} table(s)){estimate}")

    def final_flows(self) -> dict[str, str]:
        """Flow states at the end. A COMPLETED run completed every flow it started, so a flow last
        seen starting or running is COMPLETED then. Seen once in the suite: no "silver_orders has
        COMPLETED" line before "Run is COMPLETED" and the end of the output. `spark-pipelines run`
        prints the events the server streams until the stream ends
        (pyspark/pipelines/spark_connect_pipeline.py, handle_pipeline_events), so the likely
        cause is a flow's event sent after the run's."""
        if self.run_state != "COMPLETED":
            return dict(self.flows)
        return {name: "COMPLETED" if state in STARTED_STATES else state for name, state in self.flows.items()}

    @property
    def failed_flows(self) -> list[str]:
        return sorted(name for name, state in self.flows.items() if state == "FAILED")
