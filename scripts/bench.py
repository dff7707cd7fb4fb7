#!/usr/bin/env python3
"""Benchmark: the local pipeline (`medallion run-local`, spark-pipelines) vs plain PySpark batch.

Renders the default project, writes the retail sample at each size, and measures per size:
the baseline (the same helper functions as batch jobs, Parquet out), the pipeline cold (a new
Spark Connect server per run) and warm (one reused server), each full and with 1% new order
files. Prints Markdown tables; `--json PATH` keeps every figure. Usage:

    .venv/bin/python scripts/bench.py [--sizes 100000,1000000] [--repeat 2] [--json out.json]
    .venv/bin/python scripts/bench.py --quick
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from dataclasses import asdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench.machine import facts_markdown, machine_facts
from bench.options import Options, parse_args
from bench.results import Sample, flow_rows_table, markdown_table, scaling, scaling_table, summarise
from bench.suite import run_suite


def report(options: Options, samples: Sequence[Sample], facts: dict[str, object]) -> tuple[str, dict]:
    """The Markdown text and the JSON document of one benchmark."""
    summaries = summarise(samples)
    growth = scaling(summaries)
    text = [f"Median of {options.repeat} run(s) per row.", "", markdown_table(summaries)]
    flows = flow_rows_table(samples)
    if flows:
        text += ["", "Rows each silver flow processed in the +1% runs (median):", "", flows]
    if growth:
        text += ["", "Scaling (largest size vs smallest, median wall):", "", scaling_table(growth)]
    text += ["", "Machine:", "", facts_markdown(facts)]
    document = {
        "machine": facts,
        "options": {k: str(v) if isinstance(v, Path) else v for k, v in asdict(options).items()},
        "summaries": [s.as_dict() for s in summaries],
        "scaling": growth,
        "samples": [asdict(s) for s in samples],
    }
    return "\n".join(text), document


def saved(path: Path) -> tuple[list[Sample], dict[str, object]]:
    """Samples and machine facts of an earlier --json file."""
    document = json.loads(path.read_text())
    return [Sample(**s) for s in document["samples"]], document["machine"]


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    if options.from_json:
        samples, facts = saved(options.from_json)
    else:
        facts = machine_facts()
        samples, _ = run_suite(options)
    text, document = report(options, samples, facts)
    print(text)
    if options.json_path and options.json_path != options.from_json:
        options.json_path.parent.mkdir(parents=True, exist_ok=True)
        options.json_path.write_text(json.dumps(document, indent=2, default=str) + "\n")
    if options.markdown_path:
        options.markdown_path.parent.mkdir(parents=True, exist_ok=True)
        options.markdown_path.write_text(text + "\n")
    return 0 if all(s.ok for s in samples) else 1


if __name__ == "__main__":
    sys.exit(main())
