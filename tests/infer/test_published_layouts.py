"""Data as it is published, not as we would lay it out: tables as files side by side in one
folder, headers such as `playerID`, `2B` or `park.key`, ids followed by a role word
(`teamIDwinner`), links between two facts, and numbers that repeat a group's figure."""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path
from typing import Any

import pytest
import yaml

from medallion.spec import load_spec
from medallion.tooling.inference.draft import infer_spec
from medallion.tooling.inference.measure_meaning import not_additive
from medallion.tooling.inference.read import column_identifier, discover, spec_names


def write_loose(folder: Path, file: str, rows: list[dict[str, Any]]) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / file).open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


@pytest.mark.parametrize(
    ("header", "name"),
    [
        ("playerID", "player_id"),
        ("nameFirst", "name_first"),
        ("2B", "x2b"),
        ("park.key", "park_key"),
        ("teamIDwinner", "team_id_winner"),
        ("BAOpp", "ba_opp"),
        ("HTTPStatus", "http_status"),
        ("order_id", "order_id"),
        ("G_batting", "g_batting"),
    ],
)
def test_a_header_becomes_a_snake_case_column(header: str, name: str) -> None:
    assert column_identifier(header) == name


def test_headers_that_meet_in_one_name_stay_apart() -> None:
    assert spec_names(["playerID", "player_id", "PlayerId"]) == {
        "playerID": "player_id",
        "player_id": "player_id_2",
        "PlayerId": "player_id_3",
    }


def test_files_side_by_side_are_one_table_per_name_and_numbered_files_one_table(tmp_path: Path) -> None:
    core = tmp_path / "core"
    for name in ("Batting.csv", "BattingPost.csv", "People.csv"):
        write_loose(core, name, [{"a": 1}])
    monthly = tmp_path / "orders"
    for name in ("orders_2024_01.csv", "orders_2024_02.csv"):
        write_loose(monthly, name, [{"a": 1}])
    spark = tmp_path / "lines"
    for name in ("part-00000-abc.csv", "part-00001-abc.csv"):
        write_loose(spark, name, [{"a": 1}])
    assert {k: len(v) for k, v in discover([core]).items()} == {"batting": 1, "battingpost": 1, "people": 1}
    assert {k: len(v) for k, v in discover([monthly, spark]).items()} == {"orders": 2, "lines": 2}


def baseball_like(root: Path) -> Path:
    """People; team seasons; batting lines (player, year, stint); fielding lines that also match
    batting's key (a link between two facts); series with a winner and a loser team; votes with
    the ballots of each election repeated on every candidate's row."""
    rng = random.Random(11)
    players = [f"p{i:04d}x01" for i in range(60)]
    teams = ["BOS", "NYA", "CHN", "SLN", "DET", "CLE"]
    write_loose(
        root,
        "People.csv",
        [{"playerID": p, "nameFirst": f"F{i}", "weight": 150 + i} for i, p in enumerate(players)],
    )
    seasons = [
        {"yearID": y, "teamID": t, "W": rng.randint(50, 100)} for y in range(2000, 2012) for t in teams
    ]
    write_loose(root, "Teams.csv", seasons)
    batting = []
    for i, player in enumerate(players):
        for year in range(2000 + i % 5, 2008 + i % 4):
            batting.append(
                {
                    "playerID": player,
                    "yearID": year,
                    "stint": 1,
                    "teamID": rng.choice(teams),
                    "AB": rng.randint(0, 600),
                    "2B": rng.randint(0, 40),
                    "ERA": round(rng.uniform(1, 6), 2),
                }
            )
    write_loose(root, "Batting.csv", batting)
    fielding = [
        {
            **{k: row[k] for k in ("playerID", "yearID", "stint", "teamID")},
            "POS": pos,
            "PO": rng.randint(0, 300),
        }
        for row in batting
        for pos in ("1B", "LF")
    ]
    write_loose(root, "Fielding.csv", fielding)
    series = [
        {
            "yearID": y,
            "round": r,
            "teamIDwinner": teams[(y + n) % 6],
            "teamIDloser": teams[(y + n + 1) % 6],
            "wins": 4,
            "losses": rng.randint(0, 3),
        }
        for y in range(2000, 2012)
        for n, r in enumerate(("ALCS", "NLCS", "WS"))
    ]
    write_loose(root, "SeriesPost.csv", series)
    votes = []
    for year in range(2000, 2012):
        ballots = rng.randint(400, 600)
        for player in rng.sample(players, 8):
            votes.append(
                {"playerID": player, "yearID": year, "ballots": ballots, "votes": rng.randint(0, 400)}
            )
    write_loose(root, "HallOfFame.csv", votes)
    return root


@pytest.fixture(scope="module")
def drafted(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, dict[str, Any], Path]:
    root = baseball_like(tmp_path_factory.mktemp("published") / "core")
    text = infer_spec([root])
    spec_path = root.parent / "medallion.yml"
    spec_path.write_text(text)
    load_spec(spec_path)  # the draft validates
    return text, yaml.safe_load(text), spec_path


def test_renamed_columns_say_their_source_name(drafted: tuple[str, dict[str, Any], Path]) -> None:
    text, spec, _ = drafted
    columns = spec["sources"]["batting"]["columns"]
    assert columns["x2b"] == {"type": "int", "source_name": "2B"}
    assert columns["player_id"] == {"type": "string", "source_name": "playerID"}
    assert columns["stint"] == "int"  # already a spec name: nothing to say
    assert "give each its folder (Batting.csv -> batting/" in text


def test_a_link_between_two_facts_is_only_suggested(drafted: tuple[str, dict[str, Any], Path]) -> None:
    text, spec, _ = drafted
    fielding = {(tuple(r["columns"]), r["table"]) for r in spec["sources"]["fielding"]["references"]}
    assert fielding == {(("player_id",), "people"), (("year_id", "team_id"), "teams")}
    assert "table: batting}  # a link between facts" in text
    dimensions = {d["source"] for d in spec["gold"]["dimensions"].values()}
    assert "batting" not in dimensions and {"people", "teams"} <= dimensions


def test_an_id_followed_by_a_role_word_plays_a_role(drafted: tuple[str, dict[str, Any], Path]) -> None:
    _, spec, _ = drafted
    series = spec["sources"]["seriespost"]
    assert series["primary_key"] == ["year_id", "round"]
    found = {(tuple(r["columns"]), r["table"]) for r in series["references"]}
    assert found == {(("year_id", "team_id_winner"), "teams"), (("year_id", "team_id_loser"), "teams")}
    fact = next(f for f in spec["gold"]["facts"].values() if f["source"] == "seriespost")
    assert set(fact["dimensions"]) == {"winner_team", "loser_team"}


def test_rates_and_repeated_figures_are_no_measures(drafted: tuple[str, dict[str, Any], Path]) -> None:
    text, spec, _ = drafted
    facts = {f["source"]: f for f in spec["gold"]["facts"].values()}
    assert set(facts["batting"]["measures"]) == {"ab", "x2b"}  # not ERA, year or stint
    assert set(facts["halloffame"]["measures"]) == {"votes"}
    assert "ballots is no measure: one value per year_id" in text


@pytest.mark.parametrize(
    ("name", "why"),
    [("era", "a level"), ("ba_opp", "a level"), ("points_max", "a bound"), ("needed", "a bound")],
)
def test_names_of_rates_and_bounds_are_not_additive(name: str, why: str) -> None:
    assert (not_additive(name) or "").startswith(why)


def test_a_surrogate_key_never_meets_a_column_of_the_same_name(tmp_path: Path) -> None:
    """parks has park_key (park.key), so its dimension is `parks` (parks_key); homegames has
    team_key, so the team it plays is the role `team_dim` (team_dim_key)."""
    root = tmp_path / "core"
    parks = [{"park.key": f"P{i:02d}", "park.name": f"Park {i}"} for i in range(12)]
    write_loose(root, "Parks.csv", parks)
    write_loose(root, "Teams.csv", [{"teamID": f"T{i:02d}", "name": f"Team {i}"} for i in range(12)])
    games = [
        {"year.key": y, "team.key": f"T{t:02d}", "park.key": f"P{(t + y) % 12:02d}", "games": 81}
        for y in range(2000, 2010)
        for t in range(12)
    ]
    write_loose(root, "HomeGames.csv", games)
    text = infer_spec([root])
    (tmp_path / "medallion.yml").write_text(text)
    load_spec(tmp_path / "medallion.yml")
    spec = yaml.safe_load(text)
    dimensions = spec["gold"]["dimensions"]
    assert {n: d["source"] for n, d in dimensions.items()} == {"parks": "parks", "team": "teams"}
    fact = spec["gold"]["facts"]["homegames"]
    assert fact["dimensions"] == {
        "parks": ["park_key"],
        "team_dim": {"dimension": "team", "columns": ["team_key"]},
    }


@pytest.mark.parametrize(
    ("encoding", "option"), [("utf-16", "UTF-16"), ("latin-1", "ISO-8859-1"), ("utf-8", None)]
)
def test_a_file_in_another_encoding_is_read_and_the_reader_is_told(
    tmp_path: Path, encoding: str, option: str | None
) -> None:
    folder = tmp_path / "cities"
    folder.mkdir()
    rows = "".join(f"{i},Zürich {i},café\n" for i in range(30))
    (folder / "cities.csv").write_bytes(("id,name,note\n" + rows).encode(encoding))
    spec = yaml.safe_load(infer_spec([folder]))
    cities = spec["sources"]["cities"]
    options = spec["defaults"]["source"].get("options", {}) | (cities.get("source") or {}).get("options", {})
    assert options.get("encoding") == option
    assert cities["primary_key"] == ["id"] and cities["columns"]["name"] == "string"


def test_json_lines_stream_and_an_oversized_or_broken_array_is_refused_with_its_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from medallion.tooling.inference import read

    lines = tmp_path / "events" / "events.json"
    lines.parent.mkdir()
    lines.write_text("".join(f'{{"id": {i}, "kind": "k{i % 3}"}}\n' for i in range(50)) + "{broken\n")
    sample = read.read_table("events", [lines])
    assert (sample.total_rows, sample.malformed) == (50, 1)
    array = tmp_path / "batch" / "batch.json"
    array.parent.mkdir()
    array.write_text(json.dumps([{"id": i} for i in range(50)]))
    assert read.read_table("batch", [array]).options == {"multiLine": "true"}
    monkeypatch.setattr(read, "MAX_ARRAY_BYTES", 100)
    with pytest.raises(read.SampleError, match=r"batch\.json: one JSON document of"):
        read.read_table("batch", [array])
    array.write_text('[{"id": 1}, {"id": ')
    monkeypatch.setattr(read, "MAX_ARRAY_BYTES", 1 << 20)
    with pytest.raises(read.SampleError, match=r"batch\.json: not one JSON document"):
        read.read_table("batch", [array])
    pretty = tmp_path / "one" / "one.json"
    pretty.parent.mkdir()
    pretty.write_text(json.dumps({"id": 1, "kind": "a", "tags": ["x"]}, indent=2))
    one = read.read_table("one", [pretty])
    assert (one.options, one.total_rows, one.malformed) == ({"multiLine": "true"}, 1, 0)
