"""Command-line options of scripts/bench.py."""

from __future__ import annotations

import argparse
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

DEFAULT_SIZES = (100_000, 1_000_000)
AIRLINE_SIZES = (1_000_000,)
QUICK_SIZE = 3_000
DOMAINS = ("retail", "airline")
FILE_FORMATS = ("csv", "parquet")
MODES = ("cold", "warm", "edit")
DEFAULT_MODES = ("cold", "warm")
LAYERS = ("bronze", "silver", "gold")
DEFAULT_WORK = Path(tempfile.gettempdir()) / "medallion-bench"


@dataclass(frozen=True)
class Options:
    sizes: tuple[int, ...]
    repeat: int
    modes: tuple[str, ...]
    incremental: bool
    increment: float
    work: Path
    layers: tuple[str, ...]
    json_path: Path | None
    markdown_path: Path | None
    from_json: Path | None = None
    domain: str = "retail"
    formats: tuple[str, ...] = FILE_FORMATS
    """airline only: the dataset is written, inferred and run once per format."""


def sizes(text: str) -> tuple[int, ...]:
    """'100000,1e6,250k' -> (100000, 1000000, 250000)."""
    result = []
    for item in text.split(","):
        item = item.strip().lower().replace("_", "")
        if not item:
            continue
        factor = {"k": 1_000, "m": 1_000_000}.get(item[-1], 1)
        number = float(item[:-1] if factor > 1 else item) * factor
        if number < 1:
            raise argparse.ArgumentTypeError(f"size must be at least 1 row: {item}")
        result.append(int(number))
    if not result:
        raise argparse.ArgumentTypeError("give at least one size")
    return tuple(result)


def modes(text: str) -> tuple[str, ...]:
    chosen = tuple(m.strip() for m in text.split(",") if m.strip())
    unknown = [m for m in chosen if m not in MODES]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"modes are {', '.join(MODES)}; got {text!r}")
    return chosen


def layers(text: str) -> tuple[str, ...]:
    chosen = tuple(m.strip() for m in text.split(",") if m.strip())
    if not chosen or any(m not in LAYERS for m in chosen) or "bronze" not in chosen:
        raise argparse.ArgumentTypeError(f"layers are {', '.join(LAYERS)} (bronze first); got {text!r}")
    return chosen


def file_formats(text: str) -> tuple[str, ...]:
    chosen = tuple(m.strip() for m in text.split(",") if m.strip())
    if not chosen or any(m not in FILE_FORMATS for m in chosen):
        raise argparse.ArgumentTypeError(f"formats are {', '.join(FILE_FORMATS)}; got {text!r}")
    return chosen


def positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def fraction(text: str) -> float:
    value = float(text)
    if not 0 < value < 1:
        raise argparse.ArgumentTypeError("must be between 0 and 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="bench.py",
        description="Local pipeline (spark-pipelines via medallion run-local) vs plain PySpark batch.",
    )
    parser.add_argument(
        "--domain",
        choices=DOMAINS,
        default="retail",
        help="retail: the sample of the default project; airline: scripts/datagen's 9 tables, spec by infer",
    )
    parser.add_argument(
        "--sizes",
        type=sizes,
        help="retail: order rows (default 100000,1000000); airline: rows of all tables (default 1000000)",
    )
    parser.add_argument(
        "--formats", type=file_formats, default=FILE_FORMATS, help="airline: file formats, e.g. csv,parquet"
    )
    parser.add_argument("--repeat", type=positive, default=2, help="runs per figure (median reported)")
    parser.add_argument(
        "--modes",
        type=modes,
        default=DEFAULT_MODES,
        help="pipeline modes: cold, warm, edit (retail: one silver rule edited between warm runs)",
    )
    parser.add_argument(
        "--no-incremental", action="store_true", help="skip the +1%% incremental runs (airline has none)"
    )
    parser.add_argument("--increment", type=fraction, default=0.01, help="new order rows, as a fraction")
    parser.add_argument("--quick", action="store_true", help=f"{QUICK_SIZE} rows, one repeat (smoke run)")
    parser.add_argument("--layers", type=layers, default=LAYERS, help="layers to run: bronze,silver,gold")
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK, help="scratch folder (project, data)")
    parser.add_argument("--json", dest="json_path", type=Path, help="also write every figure as JSON")
    parser.add_argument("--markdown", dest="markdown_path", type=Path, help="also write the tables here")
    parser.add_argument(
        "--from-json", type=Path, help="no runs: print the tables of an earlier --json file again"
    )
    return parser


def parse_args(argv: Sequence[str] | None = None) -> Options:
    parser = build_parser()
    args = parser.parse_args(argv)
    if args.domain == "airline" and "edit" in args.modes:
        parser.error("--modes edit edits the retail spec's orders rule: use it with --domain retail")
    quick = args.quick
    airline = args.domain == "airline"
    chosen = args.sizes or (AIRLINE_SIZES if airline else DEFAULT_SIZES)
    return Options(
        sizes=(QUICK_SIZE,) if quick else chosen,
        repeat=1 if quick else args.repeat,
        modes=args.modes,
        incremental=not (args.no_incremental or airline),
        increment=args.increment,
        work=args.work,
        layers=args.layers,
        json_path=args.json_path,
        markdown_path=args.markdown_path,
        from_json=args.from_json,
        domain=args.domain,
        formats=args.formats,
    )
