"""`medallion infer` as a command: writes a valid spec, byte-identical across runs."""

from __future__ import annotations

from pathlib import Path

from medallion.cli import main
from medallion.retail_sample import write_sample
from medallion.spec import load_spec
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


def test_header_only_and_semicolon_csv(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "empty" / "x.csv").write_text("a,b\n")
    (tmp_path / "codes").mkdir()
    rows = [f"K{i};{('yes', 'no', 'on')[i % 3]};a: b, #c" for i in range(50)]
    (tmp_path / "codes" / "y.csv").write_text("\n".join(["code;answer;note", *rows]) + "\n")
    out = tmp_path / "medallion.yml"
    assert main(["infer", str(tmp_path / "empty"), str(tmp_path / "codes"), "--out", str(out)]) == 0
    spec = load_spec(out)
    assert spec.source("empty").column_names == ("a", "b") and not spec.source("empty").primary_key
    codes = spec.source("codes")
    assert codes.source.options == {"sep": ";"} and codes.primary_key == ("code",)
    answers = next(e for e in codes.expectations if e.name == "accepted_answer")
    assert answers.params["values"] == ["no", "on", "yes"]
