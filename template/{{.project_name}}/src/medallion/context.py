"""What the pipeline code needs at definition time: Spark, the dp module, spec and settings."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from medallion import rules
from medallion.spec import Spec, load_spec

Engine = Literal["databricks", "local"]
ENGINES: tuple[str, ...] = ("databricks", "local")

# Pipeline configuration keys (docs/CONTRACTS.md)
SPEC_PATH = "medallion.spec_path"
ENGINE = "medallion.engine"
# Where the sources are: the files sources' folder (a /Volumes/... path on Databricks, the local
# folder in local runs), the delta sources' catalog.schema, or the Kafka bootstrap servers.
SOURCE_LOCATION = "medallion.source_location"
# Release 0.4.0's names for the same value (files/delta, Kafka), read by Settings.from_conf until
# projects have migrated (medallion.tooling.migrations, `medallion upgrade --migrate`, shipped in
# 0.6.0): remove them in 0.7.0.
OLD_SOURCE_KEYS = ("medallion.source_root", "medallion.kafka.bootstrap_servers")
KAFKA_USERNAME = "medallion.kafka.username"
KAFKA_PASSWORD = "medallion.kafka.password"
UPDATE_ID = "medallion.update_id"


class SettingsError(ValueError):
    """A pipeline configuration key is missing or has a bad value."""


@dataclass(frozen=True)
class Settings:
    """The pipeline's `medallion.*` configuration values."""

    engine: Engine
    spec_path: str
    source_location: str
    # Resolved by Databricks from {{secrets/<scope>/<key>}} references in the pipeline
    # configuration; never printed (repr=False).
    kafka_username: str | None = field(default=None, repr=False)
    kafka_password: str | None = field(default=None, repr=False)
    update_id: str | None = None

    @classmethod
    def from_conf(cls, get: Callable[[str], str | None]) -> Settings:
        """Read settings through `get(key) -> value or None` (e.g. spark.conf.get)."""
        engine = (get(ENGINE) or "databricks").strip().lower()
        if engine not in ENGINES:
            raise SettingsError(f"pipeline configuration {ENGINE}={engine!r}: use {' or '.join(ENGINES)}")
        spec_path = get(SPEC_PATH)
        if not spec_path:
            raise SettingsError(f"pipeline configuration {SPEC_PATH} is not set: give medallion.yml's path")
        return cls(
            engine=engine,  # type: ignore[arg-type]
            spec_path=spec_path,
            source_location=_source_location(get),
            kafka_username=get(KAFKA_USERNAME) or None,
            kafka_password=get(KAFKA_PASSWORD) or None,
            update_id=get(UPDATE_ID) or None,
        )


def _source_location(get: Callable[[str], str | None]) -> str:
    """medallion.source_location, else the key release 0.4.0 used for it.

    `medallion upgrade` rewrites resources/*.yml and databricks.yml only with --migrate, so a
    project rendered by 0.4.0 may still set the old keys. Two keys with different values are
    refused rather than one picked silently."""
    found = {key: value.rstrip("/") for key in (SOURCE_LOCATION, *OLD_SOURCE_KEYS) if (value := get(key))}
    if len(set(found.values())) > 1:
        given = ", ".join(f"{key}={value!r}" for key, value in found.items())
        raise SettingsError(
            f"pipeline configuration {given}: these keys name one source location but differ; set "
            f"{SOURCE_LOCATION} only and remove the older keys (resources/*.pipeline.yml, databricks.yml)"
        )
    return next(iter(found.values()), "")


@dataclass(frozen=True)
class PipelineContext:
    """Everything define_bronze/define_silver/define_gold need."""

    spark: Any
    dp: Any
    spec: Spec
    settings: Settings

    @property
    def engine(self) -> Engine:
        return self.settings.engine

    @property
    def is_databricks(self) -> bool:
        return self.settings.engine == "databricks"

    @classmethod
    def from_pipeline(cls, dp: Any, spark: Any = None) -> PipelineContext:
        """Build the context inside a transformation file (active session, its conf)."""
        if spark is None:
            from pyspark.sql import SparkSession

            spark = SparkSession.active()
        settings = Settings.from_conf(lambda key: _conf_get(spark, key))
        rules.fix_clock(time.time_ns() // 1000)  # one "now" for every rule of this update
        return cls(spark, dp, load_spec(Path(settings.spec_path)), settings)


def _conf_get(spark: Any, key: str) -> str | None:
    value = spark.conf.get(key, None)
    return None if value is None else str(value)
