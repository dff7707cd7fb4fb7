"""A second domain, not retail: a city library network (CSV or Parquet).

books keyed by isbn; branches keyed by (city, branch_code) - codes repeat across cities;
members keyed by card_number, re-sent when they move (sequence: changed_at); loans, the
fact, keyed by loan_no, pointing at all three (branches through two columns, twice: the
lending branch and, once returned, the branch it was returned to: a role-playing dimension).
"""

from __future__ import annotations

import random
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

CITIES = ["hull", "leeds", "york"]
CODES = ["C", "N", "S", "E"]
GENRES = ["crime", "fantasy", "history", "poetry", "science"]
START = datetime(2023, 3, 1, tzinfo=timezone.utc)


def books(rng: random.Random) -> list[dict[str, Any]]:
    return [
        {
            "isbn": f"978-{rng.randrange(10)}-{rng.randrange(1000, 9999)}-{number:04d}-{number % 10}",
            "title": f"Title {number}",
            "author": f"Author {rng.randrange(1, 80)}",
            "genre": rng.choice(GENRES),
            "published_year": rng.randrange(1950, 2024),
            "replacement_cost": Decimal(rng.randrange(500, 4500)) / 100,
        }
        for number in range(1, 301)
    ]


def branches() -> list[dict[str, Any]]:
    return [
        {
            "city": city,
            "branch_code": code,
            "branch_name": f"{city.title()} {code}",
            "opened_on": date(1990 + i, 1 + j, 1),
            "seats": 20 + 5 * i + j,
        }
        for i, city in enumerate(CITIES)
        for j, code in enumerate(CODES)
    ]


def members(rng: random.Random) -> list[dict[str, Any]]:
    rows = [
        {
            "card_number": 50_000 + number,
            "full_name": f"Member {number}",
            "home_city": rng.choice(CITIES),
            "tier": rng.choice(["adult", "child", "senior"]),
            "changed_at": START + timedelta(hours=number),
        }
        for number in range(1, 251)
    ]
    moved = START + timedelta(days=60)
    movers = [{**r, "home_city": rng.choice(CITIES), "changed_at": moved} for r in rows[:30]]
    return rows + movers


def loans(rng: random.Random, isbns: list[str], cards: list[int]) -> list[dict[str, Any]]:
    rows = []
    for number in range(1, 1201):
        loaned = START + timedelta(days=rng.randrange(200), minutes=rng.randrange(600))
        city, code = rng.choice(CITIES), rng.choice(CODES)
        rows.append(
            {
                "loan_no": 700_000 + number,
                "isbn": rng.choice(isbns),
                "city": city,
                "branch_code": code,
                "card_number": rng.choice(cards),
                "loaned_at": loaned,
                "due_on": (loaned + timedelta(days=21)).date(),
                "renewals": rng.randrange(0, 4),
                "late_fee": Decimal(rng.choice([0, 0, 0, 50, 120, 300])) / 100,
                **_returned_to(number),
            }
        )
    rows[5]["isbn"] = "978-0-0000-0000-0"
    rows[6]["card_number"] = None
    return rows + rows[:4]


def _returned_to(number: int) -> dict[str, str | None]:
    """The branch a loan was returned to (any branch); every fifth loan is still out (NULLs)."""
    if number % 5 == 0:
        return {"return_city": None, "return_branch_code": None}
    return {"return_city": CITIES[number * 7 % len(CITIES)], "return_branch_code": CODES[number % len(CODES)]}


def tables(seed: int = 11) -> dict[str, list[dict[str, Any]]]:
    rng = random.Random(seed)
    book_rows, member_rows = books(rng), members(rng)
    loan_rows = loans(rng, [b["isbn"] for b in book_rows], [m["card_number"] for m in member_rows])
    return {"books": book_rows, "branches": branches(), "members": member_rows, "loans": loan_rows}


def write_library(folder: Path, file_format: str) -> Path:
    """One folder per table under `folder`, in `csv` (two files for loans) or `parquet`."""
    for name, rows in tables().items():
        target = folder / name
        target.mkdir(parents=True, exist_ok=True)
        chunks = [rows[: len(rows) // 2], rows[len(rows) // 2 :]] if name == "loans" else [rows]
        for part, chunk in enumerate(chunks):
            if file_format == "csv":
                frame = pd.DataFrame(chunk)
                for column in frame.columns:
                    if frame[column].map(lambda v: isinstance(v, datetime)).any():
                        frame[column] = frame[column].map(lambda v: v.strftime("%Y-%m-%d %H:%M:%S"))
                if "card_number" in frame:
                    frame["card_number"] = frame["card_number"].astype("Int64")
                frame.to_csv(target / f"part-{part}.csv", index=False)
            else:
                table = pa.Table.from_pylist(chunk)
                money = [
                    pa.field(f.name, pa.decimal128(10, 2)) if pa.types.is_decimal(f.type) else f
                    for f in table.schema
                ]
                pq.write_table(table.cast(pa.schema(money)), target / f"part-{part}.parquet")
    return folder
