"""Small generated CSV datasets for table-driven inference cases (deterministic)."""

from __future__ import annotations

import csv
import random
from pathlib import Path
from typing import Any


def write_csv(root: Path, table: str, rows: list[dict[str, Any]]) -> None:
    folder = root / table
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{table}.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def write_tpch_like(root: Path) -> Path:
    """region/nation/customer/part/orders/lineitem with TPC-H style prefixed names."""
    rng = random.Random(7)
    write_csv(root, "region", [{"r_regionkey": i, "r_name": f"REGION {i}"} for i in range(5)])
    write_csv(
        root,
        "nation",
        [{"n_nationkey": i, "n_name": f"NATION {i}", "n_regionkey": i % 5} for i in range(25)],
    )
    write_csv(
        root,
        "customer",
        [
            {
                "c_custkey": i,
                "c_name": f"Customer#{i:05}",
                "c_nationkey": rng.randrange(25),
                "c_acctbal": f"{rng.randrange(-99999, 999999) / 100:.2f}",
            }
            for i in range(1, 301)
        ],
    )
    write_csv(root, "part", [{"p_partkey": i, "p_name": f"part {i}"} for i in range(1, 201)])
    orders = [
        {
            "o_orderkey": i,
            "o_custkey": rng.randrange(1, 301),
            "o_orderdate": f"2024-01-{1 + i % 28:02}",
            "o_totalprice": f"{rng.randrange(100, 500000) / 100:.2f}",
        }
        for i in range(1, 401)
    ]
    write_csv(root, "orders", orders)
    lines = []
    for order in orders:
        for line in range(1, rng.randrange(2, 8)):
            quantity = rng.randrange(1, 51)
            lines.append(
                {
                    "l_orderkey": order["o_orderkey"],
                    "l_partkey": rng.randrange(1, 201),
                    "l_linenumber": line,
                    "l_quantity": quantity,
                    "l_extendedprice": f"{quantity * rng.randrange(100, 2000) / 100:.2f}",
                    "l_shipdate": order["o_orderdate"],
                }
            )
    write_csv(root, "lineitem", lines)
    return root


def write_flights_like(root: Path) -> Path:
    """nycflights-style: many columns, the key (time_hour, carrier, flight) with time_hour last."""
    rng = random.Random(11)
    rows = []
    for day in range(1, 4):
        for hour in range(5, 23):
            for carrier in ("AA", "B6", "UA"):
                for flight in rng.sample(range(1, 9), 3):
                    delay = rng.randrange(-10, 30)
                    rows.append(
                        {
                            "year": 2013,
                            "month": 1,
                            "day": day,
                            "dep_delay": delay,
                            "arr_delay": delay + rng.randrange(-5, 5),
                            "carrier": carrier,
                            "flight": flight,
                            "origin": rng.choice(("EWR", "JFK", "LGA")),
                            "dest": rng.choice(("ATL", "BOS", "ORD", "MIA")),
                            "air_time": rng.randrange(40, 60),
                            "distance": rng.choice((200, 760, 1090)),
                            "hour": hour,
                            "minute": rng.choice((0, 15, 30, 45)),
                            "time_hour": f"2013-01-{day:02} {hour:02}:00:00",
                        }
                    )
    write_csv(root, "flights", rows)
    return root
