"""One name for where the sources are, `medallion.source_location`, and the keys release 0.4.0
used for it (`medallion.source_root`, `medallion.kafka.bootstrap_servers`), which a project that
upgraded its helpers still sets: `medallion upgrade` never rewrites its resources."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from medallion.bronze import define_bronze
from medallion.context import PipelineContext, Settings, SettingsError
from tests.pipeline.specs import write_variant
from tests.support.recording_dp import RecordingDP, RecordingFrame, RecordingSpark

NEW = "medallion.source_location"
OLD_ROOT = "medallion.source_root"
OLD_KAFKA = "medallion.kafka.bootstrap_servers"
VOLUME = "/Volumes/main/raw/landing"


def settings(**conf: str) -> Settings:
    return Settings.from_conf({"medallion.spec_path": "medallion.yml", **conf}.get)


def test_reads_the_source_location() -> None:
    assert settings(**{NEW: VOLUME + "/"}).source_location == VOLUME
    assert settings().source_location == ""


@pytest.mark.parametrize("old", [OLD_ROOT, OLD_KAFKA])
def test_falls_back_to_the_key_of_release_0_4_0(old: str) -> None:
    assert settings(**{old: "broker-1:9092"}).source_location == "broker-1:9092"


def test_one_value_under_several_keys_is_that_value() -> None:
    # A 0.4.0 Kafka project sets both old keys to ${var.source_location}; a user who adds the new
    # key next to an old one with the same value changes nothing.
    assert settings(**{OLD_ROOT: "b-1:9092", OLD_KAFKA: "b-1:9092"}).source_location == "b-1:9092"
    assert settings(**{NEW: VOLUME, OLD_ROOT: VOLUME + "/"}).source_location == VOLUME


@pytest.mark.parametrize("old", [OLD_ROOT, OLD_KAFKA])
def test_different_values_under_the_new_and_an_old_key_are_refused(old: str) -> None:
    with pytest.raises(SettingsError) as refused:
        settings(**{NEW: VOLUME, old: "/Volumes/main/raw/elsewhere"})
    message = str(refused.value)
    assert NEW in message and old in message
    assert "/Volumes/main/raw/elsewhere" in message and f"set {NEW} only" in message


def source_read(spec: Path, configuration: dict[str, str], table: str) -> str:
    """What the Databricks path's raw stream of `table` reads under this pipeline configuration:
    the folder it loads, the Delta table it streams, or the Kafka brokers it subscribes to."""
    dp = RecordingDP()
    conf = {"medallion.engine": "databricks", "medallion.spec_path": str(spec), **configuration}
    define_bronze(PipelineContext.from_pipeline(dp, RecordingSpark(conf)))
    frame = dp.datasets[f"bronze_{table}"].func()  # type: ignore[misc]
    assert isinstance(frame, RecordingFrame)
    if frame.reader_format == "kafka":
        return frame.reader_options["kafka.bootstrap.servers"]
    (call,) = frame.calls("table") or frame.calls("load")
    return call.args[0]


# The source keys as release 0.4.0 rendered them into resources/<pipeline>.pipeline.yml (files
# and delta: medallion.source_root; Kafka: both keys, each ${var.source_location}).
UPGRADED = {
    "files": ({"type": "files", "format": "json"}, "orders", {OLD_ROOT: VOLUME}, f"{VOLUME}/orders"),
    "delta": ({"type": "delta"}, "customers", {OLD_ROOT: "main.raw"}, "`main`.`raw`.`customers`"),
    "kafka": (
        {"type": "kafka"},
        "orders",
        {OLD_ROOT: "b-1:9092,b-2:9092", OLD_KAFKA: "b-1:9092,b-2:9092"},
        "b-1:9092,b-2:9092",
    ),
}


@pytest.mark.parametrize("case", UPGRADED.values(), ids=UPGRADED.keys())
def test_an_upgraded_project_with_only_the_old_keys_reads_its_sources(
    case: tuple[dict[str, Any], str, dict[str, str], str], tmp_path: Path, rendered_retail: Path
) -> None:
    source, table, old_configuration, expected = case
    spec = write_variant(rendered_retail, tmp_path / "medallion.yml", source)
    assert source_read(spec, old_configuration, table) == expected
    new_configuration = {NEW: next(iter(old_configuration.values()))}
    assert source_read(spec, new_configuration, table) == expected
