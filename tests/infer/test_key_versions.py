"""Re-sent rows of a key are versions when they only fill in values (NULL first, known later),
as a status feed does; rows of different entities under one column still are not."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from medallion.spec import load_spec
from medallion.tooling.inference import infer_spec
from tests.infer.cases import write_csv


def flights(resend_fills_in: bool) -> list[dict[str, Any]]:
    """Ten flights a day for six days; the first two of each day sent first as scheduled."""
    rows: list[dict[str, Any]] = []
    for day in range(1, 7):
        for number in range(10):
            flown = {
                "carrier_code": "AB" if number % 2 else "CD",
                "flight_number": 100 + number // 2,
                "flight_date": f"2025-01-{day:02d}",
                "tail_number": f"N{number}{day % 2}XY",
                "delay_minutes": (number * 7 + day) % 40,
                "boarded": 50 + number * 3 + day,
                "flight_status": "landed",
                "updated_at": f"2025-01-{day:02d} 20:{number:02d}:00",
            }
            if number < 2:
                first = dict(
                    flown, flight_status="scheduled", updated_at=f"2025-01-{day:02d} 01:{number:02d}:00"
                )
                if resend_fills_in:
                    first.update(delay_minutes="", boarded="")
                else:
                    first.update(delay_minutes=99, boarded=1, tail_number="N999ZZ")
                rows.append(first)
            rows.append(flown)
    return rows


def test_versions_that_fill_in_values_keep_the_composite_key(tmp_path: Path) -> None:
    write_csv(tmp_path / "raw", "flights", flights(resend_fills_in=True))
    (tmp_path / "medallion.yml").write_text(infer_spec([tmp_path / "raw"]))
    source = load_spec(tmp_path / "medallion.yml").source("flights")
    assert source.primary_key == ("carrier_code", "flight_number", "flight_date")
    assert source.sequence_by == "updated_at"


def test_rows_that_disagree_on_known_values_are_no_versions(tmp_path: Path) -> None:
    write_csv(tmp_path / "raw", "flights", flights(resend_fills_in=False))
    (tmp_path / "medallion.yml").write_text(infer_spec([tmp_path / "raw"]))
    source = load_spec(tmp_path / "medallion.yml").source("flights")
    assert source.primary_key != ("carrier_code", "flight_number", "flight_date")
