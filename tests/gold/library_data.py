"""Raw records of the library domain (second star), with the answers the gold layer must give."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

BOOKS: list[dict[str, Any]] = [
    {
        "isbn": "978-0001",
        "title": "Dune",
        "author": "Herbert",
        "genre": "SF",
        "replacement_cost": "20.00",
        "revised_at": "2024-01-01 00:00:00",
    },
    {
        "isbn": "978-0001",
        "title": "Dune",
        "author": "Herbert",
        "genre": "SF",
        "replacement_cost": "22.50",
        "revised_at": "2024-03-01 00:00:00",
    },
    {
        "isbn": "978-0002",
        "title": "Emma",
        "author": "Austen",
        "genre": "Classic",
        "replacement_cost": "9.99",
        "revised_at": "2024-01-01 00:00:00",
    },
]
BRANCHES: list[dict[str, Any]] = [
    {
        "city": "leeds",
        "branch_code": "C1",
        "branch_name": "Central",
        "region": "North",
        "manager": "Ada",
        "changed_at": "2024-01-01 00:00:00",
    },
    {
        "city": "leeds",
        "branch_code": "C1",
        "branch_name": "Central Library",
        "region": "North",
        "manager": "Ada",
        "changed_at": "2024-02-01 00:00:00",
    },  # untracked change: no new version
    {
        "city": "leeds",
        "branch_code": "C1",
        "branch_name": "Central Library",
        "region": "North",
        "manager": "Bob",
        "changed_at": "2024-04-01 00:00:00",
    },  # tracked change: second version
    {
        "city": "york",
        "branch_code": "C1",
        "branch_name": "Minster",
        "region": "North",
        "manager": "Cy",
        "changed_at": "2024-01-01 00:00:00",
    },  # same code, other city: composite key
]
LOANS: list[dict[str, Any]] = [
    {
        "loan_ref": "L1",
        "isbn": "978-0001",
        "home_city": "Leeds",
        "home_branch": "C1",
        "borrowed_at": "2024-03-10 10:00:00",
        "returned_at": "2024-03-20 10:00:00",
        "return_city": "York",
        "return_branch": "C1",
        "late_fee": "0.00",
        "channel": "desk",
        "recorded_at": "2024-03-10 10:00:00",
    },
    {
        "loan_ref": "L1",
        "isbn": "978-0001",
        "home_city": "Leeds",
        "home_branch": "C1",
        "borrowed_at": "2024-03-10 10:00:00",
        "returned_at": "2024-04-20 10:00:00",
        "return_city": "York",
        "return_branch": "C1",
        "late_fee": "1.50",
        "channel": "desk",
        "recorded_at": "2024-04-20 10:00:00",
    },  # re-sent on return: latest counts
    {
        "loan_ref": "L2",
        "isbn": "978-0002",
        "home_city": "Leeds",
        "home_branch": "C1",
        "borrowed_at": "2024-05-01 09:00:00",
        "returned_at": None,
        "return_city": None,
        "return_branch": None,
        "late_fee": None,
        "channel": "app",
        "recorded_at": "2024-05-01 09:00:00",
    },
    {
        "loan_ref": "L3",
        "isbn": "978-0002",
        "home_city": "York",
        "home_branch": "C1",
        "borrowed_at": "2024-05-02 09:00:00",
        "returned_at": "2024-05-03 09:00:00",
        "return_city": "leeds",
        "return_branch": "C1",
        "late_fee": "0.25",
        "channel": "app",
        "recorded_at": "2024-05-03 09:00:00",
    },
    {
        "loan_ref": "L4",
        "isbn": "978-9999",
        "home_city": "York",
        "home_branch": "X9",
        "borrowed_at": "2024-05-04 09:00:00",
        "returned_at": None,
        "return_city": None,
        "return_branch": None,
        "late_fee": "2.00",
        "channel": "desk",
        "recorded_at": "2024-05-04 09:00:00",
    },  # orphan book and orphan branch
]
EXPECTED: dict[str, Any] = {
    "loans": 4,
    "fees": Decimal("3.75"),
    "orphans": {"book": 1, "branch": 1, "returned_to": 2},  # L2 and L4 are still out
    "branch_versions": {("LEEDS", "C1"): 2, ("YORK", "C1"): 1},
    "dates": 56,  # 2024-03-10 .. 2024-05-04
}


def write_sources(root: Path) -> Path:
    """One JSON-lines file per table under root/<table>/ (the default source layout)."""
    for table, rows in (("books", BOOKS), ("branches", BRANCHES), ("loans", LOANS)):
        folder = root / table
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "part-0001.json").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return root
