"""The migrations of user-owned files: what each rewrites, that a second run changes nothing,
and that no current render needs one (a migration must only touch an older release's files)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from medallion.context import OLD_SOURCE_KEYS, SOURCE_LOCATION, Settings
from medallion.tooling.migrations import MIGRATIONS, main, pending, rename_source_location_keys
from tests.support.golden import cases

FILES_04 = """\
resources:
  pipelines:
    p:
      configuration:
        medallion.engine: databricks
        medallion.source_root: ${var.source_location}   # where the files land
        medallion.spec_path: x
"""
KAFKA_04 = """\
resources:
  pipelines:
    p:
      configuration:
        medallion.source_root: ${var.source_location}
        medallion.kafka.bootstrap_servers: "${var.source_location}/"
        medallion.kafka.username: u
"""
DEV_04 = """\
targets:
  dev:
    resources:
      pipelines:
        p:
          configuration:
            medallion.source_root: /Volumes/c/s/landing
  prod:
    resources:
      pipelines:
        p:
          configuration:
            medallion.source_root: ${var.source_location}
"""


def configuration(text: str, *path: str) -> dict[str, str]:
    node = yaml.safe_load(text)
    for key in path:
        node = node[key]
    return node


def test_a_files_pipeline_gets_the_new_key_with_its_value_and_comment() -> None:
    after = rename_source_location_keys(FILES_04)
    assert after == FILES_04.replace("medallion.source_root:", f"{SOURCE_LOCATION}:")
    conf = configuration(after, "resources", "pipelines", "p", "configuration")
    assert Settings.from_conf(conf.get).source_location == "${var.source_location}"


def test_kafkas_two_keys_with_one_value_become_one() -> None:
    after = rename_source_location_keys(KAFKA_04)
    conf = configuration(after, "resources", "pipelines", "p", "configuration")
    assert set(conf) == {SOURCE_LOCATION, "medallion.kafka.username"}
    assert not set(OLD_SOURCE_KEYS) & set(conf)


def test_keys_with_different_values_are_left_for_the_user() -> None:
    text = KAFKA_04.replace('"${var.source_location}/"', "broker:9092")
    after = rename_source_location_keys(text)
    conf = configuration(after, "resources", "pipelines", "p", "configuration")
    assert conf[SOURCE_LOCATION] == "${var.source_location}"
    assert conf["medallion.kafka.bootstrap_servers"] == "broker:9092", "not dropped: it differs"


def test_each_target_is_its_own_mapping() -> None:
    after = rename_source_location_keys(DEV_04)
    for target, value in (("dev", "/Volumes/c/s/landing"), ("prod", "${var.source_location}")):
        conf = configuration(after, "targets", target, "resources", "pipelines", "p", "configuration")
        assert conf == {SOURCE_LOCATION: value}


def test_an_already_present_new_key_keeps_its_place() -> None:
    text = FILES_04.replace(
        "        medallion.engine",
        f"        {SOURCE_LOCATION}: ${{var.source_location}}\n        medallion.engine",
    )
    after = rename_source_location_keys(text)
    conf = configuration(after, "resources", "pipelines", "p", "configuration")
    assert list(conf).count(SOURCE_LOCATION) == 1 and "medallion.source_root" not in conf
    assert after.count(SOURCE_LOCATION) == 1


@pytest.mark.parametrize("text", [FILES_04, KAFKA_04, DEV_04])
def test_a_second_run_changes_nothing(text: str) -> None:
    once = rename_source_location_keys(text)
    assert rename_source_location_keys(once) == once


def test_pending_shows_then_apply_writes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "resources" / "nested").mkdir(parents=True)
    (tmp_path / "resources" / "nested" / "p.pipeline.yml").write_text(FILES_04)
    (tmp_path / "databricks.yml").write_text(DEV_04)
    (tmp_path / "medallion.yml").write_text("# medallion.source_root: not a file a migration names\n")
    changes = pending(tmp_path)
    assert [c.path for c in changes] == ["databricks.yml", "resources/nested/p.pipeline.yml"]
    assert main(["--project", str(tmp_path)]) == 0
    shown = capsys.readouterr().out
    assert shown.startswith("# 0.5.0 source-location-key:") and "+++ b/databricks.yml" in shown
    assert (tmp_path / "databricks.yml").read_text() == DEV_04, "shown, not written"
    assert main(["--project", str(tmp_path), "--apply"]) == 0
    assert pending(tmp_path) == []
    assert "medallion.source_root" in (tmp_path / "medallion.yml").read_text()
    assert pending(tmp_path, up_to="0.4.9") == [] and pending(tmp_path) == []


def test_migrations_up_to_an_older_release_are_not_pending(tmp_path: Path) -> None:
    (tmp_path / "databricks.yml").write_text(DEV_04)
    assert pending(tmp_path, up_to="0.4.9") == []
    assert len(pending(tmp_path, up_to="0.5.0")) == 1


@pytest.mark.parametrize("case", cases(), ids=lambda c: c.name)
def test_no_current_render_needs_a_migration(case: Path) -> None:
    (project,) = [p for p in (case / "output").iterdir() if p.is_dir()]
    assert SOURCE_LOCATION in (project / "databricks.yml").read_text() + "".join(
        p.read_text() for p in (project / "resources").glob("*.yml")
    )
    assert pending(project) == []


def test_every_migration_says_what_it_retires() -> None:
    for migration in MIGRATIONS:
        assert migration.release and migration.summary and migration.paths
        assert "remove it in" in migration.retires


def test_a_release_without_migrations_has_none_pending(tmp_path: Path) -> None:
    """Taking a release from before migrations existed (`--ref` an older tag) runs none."""
    from medallion.tooling.commands import upgrade

    render = tmp_path / "render"
    (render / "src" / "medallion" / "tooling").mkdir(parents=True)
    project = tmp_path / "project"
    (project / "resources").mkdir(parents=True)
    (project / "databricks.yml").write_text(DEV_04)
    assert upgrade._migrations(render, project, apply=True) == ""
    assert (project / "databricks.yml").read_text() == DEV_04
