"""The airline dataset, as a new user would run it: `medallion infer` -> `validate` -> `run-local`
with no hand edits, then every bronze, silver and gold figure against the DuckDB oracle.

One pipeline run (about 30,000 rows in nine tables, four of them Parquet and five CSV, 40+
flows). The same test at the million-row scale, in one format:

    SCALE_ROWS=1000000 SCALE_FORMAT=csv .venv/bin/python -m pytest tests/scale -m pipeline
    (SCALE_SUMMARY=/tmp/scale.json also writes the figures and timings as JSON)
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from datagen import domain, generate

from tests.pipeline.conftest import LocalRun, copy_project, run_local
from tests.scale.oracle import FactRules, Oracle, TableRules, reported_fact, reported_table, rules_from_spec
from tests.support.local_run import medallion

pytestmark = [
    pytest.mark.pipeline,
    pytest.mark.minutes,
    pytest.mark.skipif(shutil.which("java") is None, reason="Java 17 is needed for local runs"),
]
ROWS = int(os.environ.get("SCALE_ROWS", "30000"))
FORMAT = os.environ.get("SCALE_FORMAT", "mixed")
MIN_FLOWS = 40
SHARED_SERVER_ROWS = 100_000  # up to here the run goes to the shared server (3g heap)


@dataclass(frozen=True)
class AirlineRun:
    project: Path
    raw: Path
    manifest: dict[str, Any]
    spec: dict[str, Any]
    run: LocalRun
    seconds: dict[str, float]


@pytest.fixture(scope="module")
def airline(
    default_project: Path, tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> AirlineRun:
    folder = tmp_path_factory.mktemp("airline")
    project = copy_project(default_project, folder / "project")
    seconds: dict[str, float] = {}
    started = time.monotonic()
    manifest = generate(folder / "raw", ROWS, FORMAT)
    seconds["generate"] = time.monotonic() - started
    started = time.monotonic()
    # --force: the fresh project's placeholder spec is replaced either way (that path has its own
    # test, tests/pipeline/test_infer_fresh_project.py); this one is about the data
    inferred = medallion(
        project, "infer", str(folder / "raw"), "--out", "medallion.yml", "--force", timeout=1800
    )
    seconds["infer"] = time.monotonic() - started
    assert inferred.returncode == 0, inferred.stdout + inferred.stderr
    validated = medallion(project, "validate")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    # The CI scale runs on the session's warm shared server (a database of its own): the project
    # server's own start and JIT warm-up are other tests' subject. The million-row run keeps the
    # project's own server and its larger heap.
    server = request.getfixturevalue("shared_server") if ROWS <= SHARED_SERVER_ROWS else None
    run = run_local(project, "--source", str(folder / "raw"), server=server)
    seconds["run_local"] = run.wall_s
    assert run.report, run.output[-5000:]
    spec = yaml.safe_load((project / "medallion.yml").read_text())
    return AirlineRun(project, folder / "raw", manifest, spec, run, seconds)


@pytest.fixture(scope="module")
def oracle(airline: AirlineRun) -> tuple[Oracle, dict[str, TableRules], list[FactRules]]:
    tables, facts = rules_from_spec(airline.spec)
    return Oracle(airline.raw, tables), tables, facts


def test_inferred_spec_is_the_design(airline: AirlineRun) -> None:
    """Keys, change columns and references as the data was built; flights plays airport twice."""
    sources = airline.spec["sources"]
    for table in domain.TABLES:
        source = sources[table.name]
        assert tuple(source["primary_key"]) == table.key, table.name
        assert source.get("sequence_by") == table.sequence_by, table.name
        fmt = source.get("source", {}).get("format", airline.spec["defaults"]["source"]["format"])
        assert fmt == airline.manifest["tables"][table.name]["format"], table.name
    for link in domain.LINKS:
        found = {(tuple(r["columns"]), r["table"]) for r in sources[link.table].get("references", [])}
        assert (link.columns, link.target) in found, link
    gold = airline.spec["gold"]
    assert {d["source"] for d in gold["dimensions"].values()} == set(domain.DIMENSIONS)
    assert {f["source"] for f in gold["facts"].values()} == set(domain.FACTS)
    flights = next(f for f in gold["facts"].values() if f["source"] == "flights")
    airport = next(n for n, d in gold["dimensions"].items() if d["source"] == "airports")
    played = [link for link in flights["dimensions"].values() if isinstance(link, dict)]
    roles = {tuple(link["columns"]) for link in played}
    assert roles == {("origin_airport_code",), ("destination_airport_code",)}
    assert all(link["dimension"] == airport for link in played)


def test_run_completes_with_every_flow(airline: AirlineRun) -> None:
    report = airline.run.report
    assert report["status"] == "COMPLETED", airline.run.output[-5000:]
    flows = report["flows"]
    assert len(flows) >= MIN_FLOWS and set(flows.values()) == {"COMPLETED"}, flows


def test_every_table_is_conserved_as_the_oracle_computes(
    airline: AirlineRun, oracle: tuple[Oracle, dict[str, TableRules], list[FactRules]]
) -> None:
    """bronze = raw records; history + quarantine = bronze; silver = latest row per valid key."""
    for name in oracle[1]:
        expected = oracle[0].table(name)
        assert reported_table(airline.run.report, name) == expected, name
        assert expected.bronze == airline.manifest["tables"][name]["rows"], name
        assert airline.run.report["conservation"][name]["balanced"] is True, name


def test_gold_facts_match_the_oracle_to_the_cent(
    airline: AirlineRun, oracle: tuple[Oracle, dict[str, TableRules], list[FactRules]]
) -> None:
    """Row counts, every measure's total (exact decimal) and orphans per dimension role."""
    facts = oracle[2]
    assert len(facts) == len(domain.FACTS)
    summary: dict[str, Any] = {}
    for fact in facts:
        expected = oracle[0].fact(fact)
        assert reported_fact(airline.run.report, fact.name) == expected, fact.name
        assert any(expected.orphans.values()), fact.name  # the seeded orphans are there
        totals_text = {k: str(v) for k, v in expected.totals.items()}
        summary[fact.name] = {"rows": expected.rows, "totals": totals_text}
    if os.environ.get("SCALE_SUMMARY"):
        document = {
            "rows": airline.manifest["rows"],
            "format": FORMAT,
            "seconds": airline.seconds,
            "duration_s": airline.run.report.get("duration_s"),
            "resources": airline.run.report.get("resources"),
            "flows": len(airline.run.report["flows"]),
            "facts": summary,
        }
        Path(os.environ["SCALE_SUMMARY"]).write_text(json.dumps(document, indent=2) + "\n")
