"""Samples -> summary rows (median of N, rows/s, ratio vs baseline) -> Markdown table."""

from __future__ import annotations

import statistics
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

BASELINE = "pyspark batch"
FULL, INCREMENTAL = "full", "incremental +1%"
EDIT = "one-rule edit"
"""A silver rule edited between warm runs: rerun with dev's `--select`, or every table."""


@dataclass(frozen=True)
class Sample:
    """One measured run.

    `wall_s` is the engine's own process: the baseline script, or the `spark-pipelines run`
    child of run-local (server start-up included when cold). `total_s` is the whole command
    (for run-local: plus the spec check and the read-back report). `rows` are the order rows
    the run had to ingest (the new rows for an incremental run).
    """

    scenario: str
    engine: str
    size: int
    rows: int
    wall_s: float
    total_s: float
    peak_rss_mb: float | None
    ok: bool = True
    load_1m: float | None = None
    flow_rows: dict[str, int] | None = None
    """Incremental runs: the rows each silver flow processed (see `silver_flow_rows`)."""


@dataclass(frozen=True)
class Summary:
    """The median of the samples of one (scenario, engine, size)."""

    scenario: str
    engine: str
    size: int
    rows: int
    runs: int
    wall_s: float
    total_s: float
    peak_rss_mb: float | None
    rows_per_s: float
    vs_baseline: float | None
    walls: tuple[float, ...]
    vs_full: float | None = None
    """Incremental runs: how many times the same engine's full run on the same size."""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def median(values: Iterable[float]) -> float:
    return round(float(statistics.median(values)), 2)


def rows_per_second(rows: int, seconds: float) -> float:
    return round(rows / seconds, 1) if seconds > 0 else 0.0


def ratio(wall_s: float, baseline_s: float | None) -> float | None:
    """How many times the baseline's wall time (None without a baseline)."""
    return round(wall_s / baseline_s, 2) if baseline_s else None


def baseline_scenario(scenario: str) -> str:
    """The baseline a scenario compares with: batch has no incremental mode, so an incremental run
    is compared with the full batch run (a recompute of +1% rows costs the same within noise);
    nor a selection, so a rule edit is too (a batch job reruns whole); any other scenario (a full
    run, an airline format) with the batch run of the same scenario."""
    return FULL if scenario in (INCREMENTAL, EDIT) else scenario


def summarise(samples: Sequence[Sample]) -> list[Summary]:
    """One summary per (scenario, engine, size), in first-seen order, failed runs left out."""
    groups: dict[tuple[str, str, int], list[Sample]] = {}
    for sample in samples:
        if sample.ok:
            groups.setdefault((sample.scenario, sample.engine, sample.size), []).append(sample)
    baselines = {
        (scenario, size): median(s.wall_s for s in group)
        for (scenario, engine, size), group in groups.items()
        if engine.startswith(BASELINE)
    }
    full_runs = {
        (engine, size): median(s.wall_s for s in group)
        for (scenario, engine, size), group in groups.items()
        if scenario == FULL
    }
    summaries = []
    for (scenario, engine, size), group in groups.items():
        wall = median(s.wall_s for s in group)
        rss = [s.peak_rss_mb for s in group if s.peak_rss_mb is not None]
        rows = group[0].rows
        summaries.append(
            Summary(
                scenario=scenario,
                engine=engine,
                size=size,
                rows=rows,
                runs=len(group),
                wall_s=wall,
                total_s=median(s.total_s for s in group),
                peak_rss_mb=median(rss) if rss else None,
                rows_per_s=rows_per_second(rows, wall),
                vs_baseline=ratio(wall, baselines.get((baseline_scenario(scenario), size))),
                walls=tuple(s.wall_s for s in group),
                vs_full=ratio(wall, full_runs.get((engine, size))) if scenario == INCREMENTAL else None,
            )
        )
    return summaries


HEADER = (
    "scenario",
    "engine",
    "rows",
    "wall s",
    "run-local s",
    "peak RSS MB",
    "rows/s",
    "vs baseline",
    "vs full run",
)


def _number(value: float | None, digits: int = 1) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def markdown_row(summary: Summary) -> tuple[str, ...]:
    total = "-" if summary.engine.startswith(BASELINE) else _number(summary.total_s)
    return (
        summary.scenario,
        summary.engine,
        f"{summary.rows:,}",
        _number(summary.wall_s),
        total,
        _number(summary.peak_rss_mb, 0),
        f"{summary.rows_per_s:,.0f}",
        "-" if summary.vs_baseline is None else f"{summary.vs_baseline:.2f}x",
        "-" if summary.vs_full is None else f"{summary.vs_full:.2f}x",
    )


def markdown_table(summaries: Sequence[Summary]) -> str:
    """A GitHub Markdown table (numbers right-aligned)."""
    rows = [HEADER, *(markdown_row(s) for s in summaries)]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    numeric = [False, False, *[True] * (len(HEADER) - 2)]

    def line(cells: Sequence[str]) -> str:
        padded = [c.rjust(w) if n else c.ljust(w) for c, w, n in zip(cells, widths, numeric, strict=True)]
        return "| " + " | ".join(padded) + " |"

    rule = ["-" * (w - 1) + (":" if n else "-") for w, n in zip(widths, numeric, strict=True)]
    return "\n".join([line(rows[0]), line(rule), *(line(r) for r in rows[1:])])


def scaling(summaries: Sequence[Summary]) -> list[dict[str, object]]:
    """Wall-time growth per (scenario, engine) from the smallest to the largest size."""
    by_key: dict[tuple[str, str], list[Summary]] = {}
    for summary in summaries:
        by_key.setdefault((summary.scenario, summary.engine), []).append(summary)
    result: list[dict[str, object]] = []
    for (scenario, engine), group in by_key.items():
        if len(group) < 2:
            continue
        small, large = min(group, key=lambda s: s.size), max(group, key=lambda s: s.size)
        result.append(
            {
                "scenario": scenario,
                "engine": engine,
                "rows": f"{small.rows:,} -> {large.rows:,}",
                "rows_factor": round(large.rows / small.rows, 1) if small.rows else None,
                "wall_factor": round(large.wall_s / small.wall_s, 2) if small.wall_s else None,
            }
        )
    return result


def scaling_table(entries: Sequence[dict[str, object]]) -> str:
    lines = ["| scenario | engine | rows | x rows | x wall |", "|---|---|---|--:|--:|"]
    lines += [
        f"| {e['scenario']} | {e['engine']} | {e['rows']} | {e['rows_factor']} | {e['wall_factor']} |"
        for e in entries
    ]
    return "\n".join(lines)


def silver_flow_rows(before: dict[str, dict], after: dict[str, dict]) -> dict[str, int]:
    """Rows each silver flow processed in a run, from the run reports' table counts before and
    after it: a streaming table (history, quarantine) reads only new bronze rows and appends what
    it keeps, so its growth; a materialized view (`silver_<t>`) is recomputed in full on the
    open-source engine, so it reads its whole history table."""
    processed: dict[str, int] = {}
    for name, table in after.items():
        layer, rows = table.get("layer"), table.get("rows")
        if rows is None:
            continue
        if layer in ("silver_history", "quarantine"):
            processed[name] = rows - int((before.get(name) or {}).get("rows") or 0)
        elif layer == "silver":
            source = after.get(f"{name}_history") or {}
            processed[name] = int(source.get("rows") or 0)
    return dict(sorted(processed.items()))


def flow_rows_table(samples: Sequence[Sample]) -> str:
    """Median rows per silver flow of the incremental runs, one line per (engine, size)."""
    groups: dict[tuple[str, int], list[dict[str, int]]] = {}
    for sample in samples:
        if sample.ok and sample.scenario == INCREMENTAL and sample.flow_rows:
            groups.setdefault((sample.engine, sample.size), []).append(sample.flow_rows)
    if not groups:
        return ""
    lines = ["| engine | size | silver flow | rows processed |", "|---|--:|---|--:|"]
    for (engine, size), runs in groups.items():
        for flow in sorted({name for run in runs for name in run}):
            rows = int(statistics.median(run.get(flow, 0) for run in runs))
            lines.append(f"| {engine} | {size:,} | {flow} | {rows:,} |")
    return "\n".join(lines)
