"""References from values: text columns whose values are (almost) all codes of another table's
key are references whatever they are called; two of them to one table are roles of one
dimension; the draft's orphan threshold comes from the observed share, with a margin."""

from __future__ import annotations

import random
from pathlib import Path

import yaml

from medallion.spec import load_spec
from medallion.tooling.inference.draft import infer_spec
from tests.infer.cases import write_csv

CODES = ["EWR", "JFK", "LGA", "ATL", "ORD", "LAX", "SFO", "BOS", "MIA", "DEN", "SEA", "IAH", "DFW", "PHX"]


def write_airline_domain(root: Path, rows: int = 400) -> tuple[Path, float]:
    """Airports keyed by FAA code; flights leave from three of them for eleven others, and one
    destination in fifty (SJU) is missing from airports (orphans); a status column holds text
    that is no code."""
    rng = random.Random(5)
    write_csv(
        root,
        "airports",
        [{"faa": c, "name": f"{c} airport", "alt": 10 * i} for i, c in enumerate(CODES)],
    )
    write_csv(root, "airlines", [{"carrier": c, "name": f"{c} Air"} for c in ("UA", "AA", "DL", "B6")])
    flights = []
    for i in range(rows):
        dest = "SJU" if i % 50 == 0 else rng.choice(CODES[3:])
        flights.append(
            {
                "flight_id": i + 1,
                "origin": rng.choice(CODES[:3]),
                "dest": dest,
                "carrier": rng.choice(["UA", "AA", "DL", "B6"]),
                "status": rng.choice(["on_time", "late", "cancelled"]),
                "dep_delay": rng.randint(-10, 90),
                "distance": rng.randint(100, 2800),
            }
        )
    write_csv(root, "flights", flights)
    orphans = sum(1 for f in flights if f["dest"] == "SJU") / rows
    return root, orphans


def test_codes_found_in_another_table_are_references_and_two_of_them_are_roles(tmp_path: Path) -> None:
    root, orphans = write_airline_domain(tmp_path / "raw")
    text = infer_spec([root])
    spec_path = tmp_path / "medallion.yml"
    spec_path.write_text(text)
    spec = load_spec(spec_path)
    flights = spec.source("flights")
    found = {(r.columns, r.table) for r in flights.references}
    assert found == {(("origin",), "airports"), (("dest",), "airports"), (("carrier",), "airlines")}, text
    limit = flights.thresholds.max_orphan_fraction
    assert limit is not None and orphans < limit < orphans * 1.5 + 0.03
    document = yaml.safe_load(text)
    dimensions = document["gold"]["facts"]["flights"]["dimensions"]
    roles = {name: body for name, body in dimensions.items() if isinstance(body, dict)}
    assert {body["dimension"] for body in roles.values()} == {"airport"}
    assert sorted(tuple(body["columns"]) for body in roles.values()) == [("dest",), ("origin",)]
    line = next(x for x in text.splitlines() if "{columns: [dest], table: airports}" in x)
    assert "values found in airports.faa" in line


def test_text_that_is_no_code_of_another_table_is_no_reference(tmp_path: Path) -> None:
    root, _ = write_airline_domain(tmp_path / "raw")
    document = yaml.safe_load(infer_spec([root]))
    columns = {c for ref in document["sources"]["flights"].get("references") or [] for c in ref["columns"]}
    assert "status" not in columns and "flight_id" not in columns
