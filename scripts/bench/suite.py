"""The benchmark plan: per size, the baseline, cold pipeline runs, then a warm phase; each with +1%."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench import airline, data
from bench.edits import rule_edit
from bench.engines import Run, WarmServer, run_baseline, run_pipeline, warm_server
from bench.machine import load_1m
from bench.options import LAYERS, Options
from bench.results import BASELINE, EDIT, FULL, INCREMENTAL, Sample, silver_flow_rows

Log = Callable[[str], None]
Lock = Callable[[], AbstractContextManager[object]]


def log_stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def machine_lock(project: Path) -> Lock:
    """The runner's machine-wide Spark lock (imported from the rendered project's helpers)."""
    if str(project / "src") not in sys.path:
        sys.path.insert(0, str(project / "src"))
    from medallion.tooling.local.lock import spark_lock

    return spark_lock


def baseline_sample(run: Run, scenario: str, size: int, rows: int) -> Sample:
    m = run.measurement
    return Sample(scenario, BASELINE, size, rows, m.wall_s, m.wall_s, m.peak_rss_mb, run.ok, load_1m())


def pipeline_sample(
    run: Run,
    scenario: str,
    engine: str,
    size: int,
    rows: int,
    ok: bool,
    flow_rows: dict[str, int] | None = None,
) -> Sample:
    """wall_s: the command without its read-back report (server start when cold, the spark-pipelines
    run); total_s: the whole command."""
    m = run.measurement
    report_s = run.details.get("report_duration_s")
    wall = (
        m.wall_s - float(report_s)
        if report_s is not None
        else float(run.details.get("pipeline_duration_s") or m.wall_s)
    )
    return Sample(scenario, engine, size, rows, wall, m.wall_s, m.peak_rss_mb, ok, load_1m(), flow_rows)


@dataclass
class SizeBench:
    """Every run for one size: a project, its data and the samples gathered so far."""

    options: Options
    project: Path
    source: Path
    size: int
    rows: int
    lock: Lock
    log: Log
    samples: list[Sample]
    scenario: str = FULL
    """The label of full runs: `full` (retail), or the airline dataset's format."""

    @property
    def scratch(self) -> Path:
        path = self.options.work / "scratch"
        path.mkdir(parents=True, exist_ok=True)
        return path

    def record(self, sample: Sample, run: Run) -> None:
        self.samples.append(sample)
        status = "ok" if sample.ok else f"FAILED (exit {run.measurement.returncode})"
        rss = f"{sample.peak_rss_mb:.0f} MB" if sample.peak_rss_mb is not None else "-"
        self.log(
            f"  {sample.scenario:<16} {sample.engine:<28} rows {sample.rows:>9,}  wall {sample.wall_s:7.1f}s"
            f"  total {sample.total_s:7.1f}s  rss {rss:>8}  load {sample.load_1m}  {status}"
        )
        if not sample.ok:
            self.log(run.measurement.output_tail[-1500:])

    def baseline(self) -> None:
        with self.lock():
            for _ in range(self.options.repeat):
                run = run_baseline(self.project, self.source, self.scratch)
                self.record(baseline_sample(run, self.scenario, self.size, self.rows), run)

    def pipeline(
        self,
        scenario: str,
        mode: str,
        rows: int,
        full: bool,
        server: WarmServer | None,
        select: tuple[str, ...] = (),
        before: Run | None = None,
    ) -> Run:
        """One run-local; `before`: the run just before it, to count the rows each silver flow processed."""
        run = run_pipeline(self.project, self.source, self.scratch, full, server, select)
        skipped = tuple(layer for layer in LAYERS if layer not in self.options.layers)
        ok = run.ok_without(skipped)
        flow_rows = (
            silver_flow_rows(before.details.get("tables", {}), run.details.get("tables", {}))
            if before
            else None
        )
        engine = f"sdp run-local {mode}"
        self.record(pipeline_sample(run, scenario, engine, self.size, rows, ok, flow_rows), run)
        return run

    @contextmanager
    def increment(self) -> Iterator[int]:
        _, added = data.add_increment(self.source, self.options.increment, self.rows)
        try:
            yield added
        finally:
            data.remove_increment(self.source)

    def full_and_incremental(self, mode: str, server: WarmServer | None) -> None:
        """A full-refresh run, then (with a new 1% file) an incremental run, then the file goes away."""
        full = self.pipeline(self.scenario, mode, self.rows, True, server)
        if not self.options.incremental:
            return
        with self.increment() as added:
            self.pipeline(INCREMENTAL, mode, added, False, server, before=full)

    def cold(self) -> None:
        with self.lock():
            for _ in range(self.options.repeat):
                self.full_and_incremental("cold", None)

    def warm(self) -> None:
        """The whole warm phase holds the lock: no other run may meet our server on port 15002."""
        with self.lock(), warm_server(self.project) as server:
            self.log("  (warm-up run: starts the reused Connect server, not counted)")
            run_pipeline(self.project, self.source, self.scratch, True, server)
            for _ in range(self.options.repeat):
                self.full_and_incremental("warm", server)

    def edit(self) -> None:
        """The inner loop on a warm server: one silver rule edited, then rerun two ways: what
        `medallion dev` runs (`--select` of the changed source's silver side, from scratch) and
        every table from scratch (`--full-refresh`, no selection). The rule flips back and forth
        so that each rerun follows an edit."""
        with self.lock(), warm_server(self.project) as server, rule_edit(self.project) as edit:
            self.log("  (warm-up run: starts the project's server, not counted)")
            run_pipeline(self.project, self.source, self.scratch, True, server)
            for _ in range(self.options.repeat):
                selected = edit.flip()
                self.pipeline(EDIT, "warm --select", self.rows, True, server, selected)
                edit.flip()
                self.pipeline(EDIT, "warm", self.rows, True, server)

    def run(self) -> None:
        self.baseline()
        for mode in self.options.modes:
            getattr(self, mode)()


def run_airline_suite(options: Options, log: Log = log_stderr) -> tuple[list[Sample], dict[int, int]]:
    """Every size and format of the airline dataset: data written, spec inferred, then the runs."""
    rendered = data.render_project(options.work, options.layers)
    lock = machine_lock(rendered)
    samples: list[Sample] = []
    rows_by_size: dict[int, int] = {}
    for size in options.sizes:
        for fmt in options.formats:
            log(f"size {size:,} {fmt}: airline dataset (scripts/datagen) and `medallion infer` of it")
            inputs = airline.prepare(options.work, rendered, size, fmt)
            log(f"  {inputs.rows:,} rows in 9 tables; infer took {inputs.infer_s:.1f} s")
            rows_by_size[size] = inputs.rows
            scenario = f"airline {fmt}"
            bench = SizeBench(
                options, inputs.project, inputs.source, size, inputs.rows, lock, log, samples, scenario
            )
            bench.run()
    return samples, rows_by_size


def run_suite(options: Options, log: Log = log_stderr) -> tuple[list[Sample], dict[int, int]]:
    """Every size in turn; returns the samples and the order rows of each size."""
    if options.domain == "airline":
        return run_airline_suite(options, log)
    project = data.render_project(options.work, options.layers)
    lock = machine_lock(project)
    samples: list[Sample] = []
    rows_by_size: dict[int, int] = {}
    for size in options.sizes:
        source = options.work / f"data-{size}"
        log(f"size {size:,}: writing the retail sample (scale {data.scale_for(size)}) to {source}")
        data.remove_increment(source)
        rows = data.order_rows(data.write_sample(project, source, size))
        rows_by_size[size] = rows
        SizeBench(options, project, source, size, rows, lock, log, samples).run()
    return samples, rows_by_size
