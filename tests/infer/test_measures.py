"""Measures with meaning: a drafted fact sums delays, durations, distances, counts and money,
never identifiers, codes, calendar parts, clock times, years, ordinals or levels; each measure
carries its evidence, and `validate` warns on a measure whose name says it is not additive."""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from pathlib import Path

import yaml

from medallion.cli import main
from medallion.tooling.inference.draft import infer_spec

NOT_MEASURES = {"year", "month", "day", "hour", "minute", "dep_time", "sched_dep_time", "flight", "temp"}


def utc_hour(year: int, month: int, day: int, hour: int) -> str:
    """The local (New York, UTC-5) hour as a UTC timestamp: evening flights fall on the next day."""
    moment = datetime(year, month, day, hour) + timedelta(hours=5)
    return moment.strftime("%Y-%m-%dT%H:00:00Z")


def write_flights_domain(root: Path, rows: int = 800) -> Path:
    """A nycflights13-like domain: flights with calendar parts, hhmm clock times, delays and codes."""
    rng = random.Random(13)
    carriers = ["UA", "AA", "DL", "B6"]
    (root / "airlines").mkdir(parents=True)
    (root / "airlines" / "part-0.csv").write_text(
        "carrier,name\n" + "".join(f"{c},{c} Airlines\n" for c in carriers)
    )
    (root / "flights").mkdir()
    lines = [
        "flight_id,year,month,day,dep_time,sched_dep_time,dep_delay,arr_delay,carrier,flight,air_time,"
        "distance,hour,minute,temp,time_hour"
    ]
    for i in range(rows):
        sched = rng.randint(5, 23) * 100 + rng.choice([0, 15, 30, 45, 59])
        month, day = rng.randint(1, 12), rng.randint(1, 28)
        delay = rng.randint(-15, 40)
        dep = sched + delay if (sched % 100) + delay < 60 and (sched % 100) + delay >= 0 else sched
        lines.append(
            f"{i + 1},2013,{month},{day},{dep},{sched},{delay},"
            f"{delay + rng.randint(-10, 30)},{rng.choice(carriers)},{rng.randint(1, 2500)},"
            f"{rng.randint(30, 600)},{rng.randint(80, 4000)},{sched // 100},{sched % 100},"
            f"{rng.uniform(20, 95):.1f},{utc_hour(2013, month, day, sched // 100)}"
        )
    (root / "flights" / "part-0.csv").write_text("\n".join(lines) + "\n")
    return root


def test_the_fact_sums_delays_and_distances_never_calendar_parts_clock_times_or_codes(tmp_path: Path) -> None:
    text = infer_spec([write_flights_domain(tmp_path / "raw")])
    document = yaml.safe_load(text)
    facts = (document.get("gold") or {}).get("facts") or {}
    assert "flights" in facts, text
    measures = set(facts["flights"]["measures"])
    assert {"dep_delay", "arr_delay", "air_time", "distance"} <= measures
    assert not measures & NOT_MEASURES, measures
    for name in ("dep_delay", "distance"):
        line = next(line for line in text.splitlines() if line.strip().startswith(f"{name}:") and "#" in line)
        assert "adds up over rows" in line, line


def test_validate_warns_on_a_measure_that_is_a_calendar_part(tmp_path: Path, capsys) -> None:
    raw = write_flights_domain(tmp_path / "raw")
    spec = tmp_path / "medallion.yml"
    document = yaml.safe_load(infer_spec([raw]))
    document["gold"]["facts"]["flights"]["measures"]["month"] = {"expr": "month", "type": "decimal(18,0)"}
    spec.write_text(yaml.safe_dump(document, sort_keys=False))
    assert main(["validate", "--spec", str(spec)]) == 0
    out = capsys.readouterr().out
    assert "warning: gold.facts.flights.measures.month: month is a calendar part" in out
    assert "dep_delay" not in out.split("warning:", 1)[-1]


def test_a_date_is_derived_from_year_month_and_day_and_is_the_facts_event_time(tmp_path: Path) -> None:
    """time_hour is UTC: for evening flights its date is the next day. The draft derives the
    local date from year/month/day, says why, and dates the fact by it."""
    raw = write_flights_domain(tmp_path / "raw")
    text = infer_spec([raw])
    document = yaml.safe_load(text)
    derived = document["sources"]["flights"]["columns"]["date"]
    assert derived["type"] == "date" and "concat_ws('-', year, month, day)" in derived["expr"]
    line = next(x for x in text.splitlines() if x.strip().startswith("date: {type: date"))
    assert "time_hour's date differs on" in line
    assert document["gold"]["facts"]["flights"]["event_time"] == "date"
    spec = tmp_path / "medallion.yml"
    spec.write_text(text)
    assert main(["validate", "--spec", str(spec)]) == 0
