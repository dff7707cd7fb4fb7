"""What the pipeline code needs at definition time: Spark, the dp module, spec and settings."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from medallion.spec import Spec, load_spec

Engine = Literal["databricks", "local"]
ENGINES: tuple[str, ...] = ("databricks", "local")

# Pipeline configuration keys (docs/CONTRACTS.md)
SPEC_PATH = "medallion.spec_path"
ENGINE = "medallion.engine"
SOURCE_ROOT = "medallion.source_root"
KAFKA_BOOTSTRAP_SERVERS = "medallion.kafka.bootstrap_servers"
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
    source_root: str
    kafka_bootstrap_servers: str | None = None
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
            source_root=(get(SOURCE_ROOT) or "").rstrip("/"),
            kafka_bootstrap_servers=get(KAFKA_BOOTSTRAP_SERVERS) or None,
            kafka_username=get(KAFKA_USERNAME) or None,
            kafka_password=get(KAFKA_PASSWORD) or None,
            update_id=get(UPDATE_ID) or None,
        )


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
        return cls(spark, dp, load_spec(Path(settings.spec_path)), settings)


def _conf_get(spark: Any, key: str) -> str | None:
    value = spark.conf.get(key, None)
    return None if value is None else str(value)
