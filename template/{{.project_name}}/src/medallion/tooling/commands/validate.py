"""`medallion validate`: load medallion.yml and list every problem, without Spark.

Loading compiles what the pipeline will run (medallion.spec.load): every rule, measure and
aggregate is parsed with sqlglot's Databricks dialect and checked against the columns of the
table it runs on; literals are checked against column types. Exit 0 when the spec is valid
(with a `warning:` line for each measure whose name says a sum of it means nothing), 2 with one
line per problem (file, key path, fix) when it is not.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from medallion.naming import expected_tables
from medallion.spec import Spec, SpecError, find_spec, load_spec
from medallion.tooling.inference.measure_meaning import not_additive

IDENTIFIER = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
MAX_LOG_BYTES = 32 * 2**20
"""--explain-log reads at most this much of a log (its end): a log can be any size."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--spec", type=Path, help="spec file (default: medallion.yml here or above)")
    parser.add_argument(
        "--explain-log",
        nargs="?",
        const=Path(".medallion") / "pipeline.log",
        type=Path,
        metavar="LOG",
        help="also name the spec keys behind the Spark errors in a pipeline log "
        "(default: .medallion/pipeline.log of the last run-local)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        path = args.spec or find_spec()
    except FileNotFoundError as error:
        print(f"{error}: run this in the project folder or pass --spec PATH", file=sys.stderr)
        return 2
    try:
        spec = load_spec(path)
    except SpecError as error:
        print(error, file=sys.stderr)
        count = len(error.problems)
        print(f"{path}: {count} problem{'s' if count != 1 else ''}; nothing was run", file=sys.stderr)
        return 2
    except Exception as error:  # a bug in the checks must not look like a bad spec or a traceback
        print(
            f"{path}: medallion validate stopped on an unexpected error ({type(error).__name__}: "
            f"{error}); this is a bug in medallion, please report it with the spec",
            file=sys.stderr,
        )
        return 1
    tables = expected_tables(spec)
    rules = sum(len(s.row_rules) for s in spec.sources)
    measures = sum(len(f.measures) for f in spec.gold.facts)
    aggregates = sum(1 for a in spec.gold.aggregates if a.sql is not None)
    print(f"{spec.path}: valid; {len(spec.sources)} source(s), {len(tables)} table(s):")
    for name, layer in tables.items():
        print(f"  {layer:<15} {name}")
    print(f"compiled {rules} rule(s), {measures} measure(s), {aggregates} SQL aggregate(s) without Spark")
    for key, message in measure_warnings(spec):
        print(f"warning: {key}: {message}")
    if args.explain_log is not None:
        return _explain_log(spec, args.explain_log)
    return 0


def measure_warnings(spec: Spec) -> list[tuple[str, str]]:
    """Measures that are one column whose name says a sum of it means nothing (an identifier,
    calendar part, ordinal, coordinate or level): valid, but very likely a mistake."""
    found = []
    for fact in spec.gold.facts:
        for measure in fact.measures:
            column = measure.expr.strip().strip("`")
            reason = not_additive(column) if IDENTIFIER.match(column) else None
            if reason:
                message = f"{column} is {reason}: a sum of it means nothing; drop it or make it an attribute"
                found.append((measure.key or f"gold.facts.{fact.name}.measures.{measure.name}", message))
    return found


def read_tail(path: Path, limit: int) -> tuple[str, int]:
    """The last `limit` bytes of a file as text (from its first whole line), and its size."""
    with path.open("rb") as handle:
        size = handle.seek(0, 2)
        handle.seek(max(0, size - limit))
        data = handle.read(limit)
    if size > limit:
        data = data.split(b"\n", 1)[-1]
    return data.decode("utf-8", errors="replace"), size


def _explain_log(spec: Spec, log: Path) -> int:
    """Name the spec keys behind a failed run's Spark errors (exit 0 either way: the spec is valid)."""
    from medallion.spec.trace import explain_log

    if not log.is_absolute() and not log.exists():
        log = spec.path.parent / log
    try:
        text, size = read_tail(log, MAX_LOG_BYTES)
    except OSError as error:
        print(f"{log}: cannot read the log: {error.strerror or error}", file=sys.stderr)
        return 2
    if size > MAX_LOG_BYTES:
        shown = f"{size / 2**20:,.0f} MiB; reading its last {MAX_LOG_BYTES // 2**20} MiB"
        print(f"{log}: {shown}, where a run's errors end")
    found = explain_log(spec, text)
    if not found:
        print(f"{log}: no Spark error in it comes from a rule, measure or aggregate of {spec.path}")
        return 0
    print(f"{log}: {len(found)} error(s) come from the spec; fix them there:")
    for line in found:
        print(f"  {line}")
    return 0
