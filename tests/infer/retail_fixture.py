"""A small dirty retail sample with the retail spec's columns (JSON lines, several files per table).

Dirt: NULL keys, exact duplicate rows, re-sent versions with a later updated_at, bad numeric
text, orphan foreign keys, mixed-case status values.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

START = datetime(2024, 1, 1)
SEGMENTS = ["consumer", "corporate", "small_business"]
COUNTRIES = ["US", "DE", "FR", "GB", "NL"]
CATEGORIES = ["books", "garden", "kitchen", "toys", "tools"]
STATUSES = ["placed", "shipped", "delivered", "cancelled", "returned"]


def _stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S")


def customers(rng: random.Random) -> list[dict[str, Any]]:
    rows = []
    for number in range(1, 201):
        rows.append({
            "customer_id": f"C{number:05d}", "name": f"Customer {number}",
            "email": f"customer{number}@example.com", "country": rng.choice(COUNTRIES),
            "segment": rng.choice(SEGMENTS), "updated_at": _stamp(START + timedelta(hours=number)),
        })
    later = _stamp(START + timedelta(days=30))
    rows += [{**row, "segment": rng.choice(SEGMENTS), "updated_at": later} for row in rng.sample(rows, 40)]
    rows += rng.sample(rows, 5)
    rows += [{**rows[0], "customer_id": None, "updated_at": _stamp(START + timedelta(days=40 + i))}
             for i in (1, 2)]
    return rows


def products(rng: random.Random) -> list[dict[str, Any]]:
    rows = [
        {"product_id": f"P{number:04d}", "name": f"Product {number}", "category": rng.choice(CATEGORIES),
         "list_price": round(rng.uniform(1, 500), 2), "updated_at": _stamp(START + timedelta(minutes=number))}
        for number in range(1, 61)
    ]
    rows[7]["list_price"] = "n/a"
    return rows + rng.sample(rows, 3)


def orders(rng: random.Random, prices: dict[str, float]) -> list[dict[str, Any]]:
    rows = []
    for number in range(1, 601):
        placed = START + timedelta(days=rng.randrange(120), minutes=rng.randrange(1440))
        customer = f"C{rng.randrange(1, 201):05d}" if rng.random() > 0.01 else "C99999"
        for line in range(1, rng.randrange(2, 5)):
            product = f"P{rng.randrange(1, 61):04d}" if rng.random() > 0.01 else "P9999"
            rows.append({
                "order_id": f"O{number:06d}", "line_number": line, "customer_id": customer,
                "product_id": product, "order_ts": _stamp(placed), "status": "placed",
                "quantity": rng.randrange(1, 21), "unit_price": prices.get(product, 9.99),
                "discount": rng.choice([0, 0, 0, 1.5, 5]), "updated_at": _stamp(placed),
            })
    for row in rng.sample(rows, len(rows) // 10):
        later = datetime.fromisoformat(row["updated_at"]) + timedelta(days=rng.randrange(1, 5))
        rows.append({**row, "status": rng.choice(STATUSES[1:]), "updated_at": _stamp(later)})
    rows[3]["quantity"] = "abc"
    rows[11]["line_number"] = "one"
    rows[20]["status"] = "Shipped"
    rows[21]["status"] = "SHIPPED"
    rows += [{**rows[i], "order_id": None} for i in (30, 31, 32)]
    return rows + rng.sample(rows, 10)


def write_retail(folder: Path, seed: int = 7) -> Path:
    """Write customers/, products/, orders/ (two JSON-lines files each) under `folder`."""
    rng = random.Random(seed)
    product_rows = products(rng)
    prices = {r["product_id"]: r["list_price"] for r in product_rows if isinstance(r["list_price"], float)}
    tables = {"customers": customers(rng), "products": product_rows, "orders": orders(rng, prices)}
    for name, rows in tables.items():
        rng.shuffle(rows)
        half = len(rows) // 2
        for part, chunk in enumerate((rows[:half], rows[half:])):
            path = folder / name / f"part-{part:04d}.json"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text("".join(json.dumps(r) + "\n" for r in chunk))
    return folder
