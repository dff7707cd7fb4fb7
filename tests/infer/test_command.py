"""`medallion infer` as a command: writes a valid spec, byte-identical across runs."""

from __future__ import annotations

from pathlib import Path

from medallion.cli import main
from medallion.sample_data import write_sample
from tests.infer.library_fixture import write_library


def test_two_runs_are_byte_identical(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    write_sample(raw)
    first, second = tmp_path / "one.yml", tmp_path / "two.yml"
    assert main(["infer", str(raw), "--out", str(first)]) == 0
    tables = [str(raw / name) for name in ("orders", "customers", "products")]
    assert main(["infer", *tables, "--out", str(second)]) == 0
    assert first.read_bytes() == second.read_bytes()


def test_files_and_stems_name_tables(tmp_path: Path) -> None:
    raw = write_library(tmp_path / "raw", "csv")
    out = tmp_path / "medallion.yml"
    files = [raw / "books" / "part-0.csv", *sorted((raw / "loans").glob("*.csv"))]
    assert main(["infer", str(files[0]), str(raw / "loans"), "--out", str(out)]) == 0
    text = out.read_text()
    assert "\n  part_0:" in text and "\n  loans:" in text


def test_refuses_to_overwrite_without_force(tmp_path: Path, capsys) -> None:
    raw = write_library(tmp_path / "raw", "parquet")
    out = tmp_path / "medallion.yml"
    out.write_text("keep me")
    assert main(["infer", str(raw), "--out", str(out)]) == 2
    assert out.read_text() == "keep me"
    assert main(["infer", str(raw), "--out", str(out), "--force"]) == 0
    assert "4 source(s), 3 dimension(s), 1 fact(s)" in capsys.readouterr().out


def test_no_data_files(tmp_path: Path, capsys) -> None:
    assert main(["infer", str(tmp_path), "--out", str(tmp_path / "x.yml")]) == 2
    assert "no data files" in capsys.readouterr().err
