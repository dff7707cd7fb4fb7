"""Where a project's files are and where the local runner keeps its state (`.medallion/`)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from medallion.retail_sample import SAMPLE_FOLDER
from medallion.spec.load import find_spec

STATE_DIR = ".medallion"
HELPERS_PACKAGE = "medallion"


@dataclass(frozen=True)
class LocalProject:
    """A rendered project folder: medallion.yml at the root, code under src/."""

    root: Path

    @classmethod
    def find(cls, start: Path | None = None) -> LocalProject:
        return cls(find_spec(start).parent)

    @property
    def spec_path(self) -> Path:
        return self.root / "medallion.yml"

    @property
    def src(self) -> Path:
        return self.root / "src"

    @property
    def state(self) -> Path:
        return self.root / STATE_DIR

    @property
    def conf_dir(self) -> Path:
        return self.state / "conf"

    @property
    def pipeline_spec(self) -> Path:
        return self.state / "spark-pipeline.yml"

    @property
    def pipeline_log(self) -> Path:
        return self.state / "pipeline.log"

    @property
    def default_source_location(self) -> Path:
        """Where run-local reads the sources unless told otherwise: the sample's folder."""
        return self.root / SAMPLE_FOLDER

    @property
    def transformations(self) -> Path:
        """src/<package>/transformations (the one package that is not the helpers)."""
        found = sorted(
            p for p in self.src.glob("*/transformations") if p.is_dir() and p.parent.name != HELPERS_PACKAGE
        )
        if len(found) != 1:
            raise FileNotFoundError(
                f"expected one src/<package>/transformations folder in {self.root}, got {found}"
            )
        return found[0]

    @property
    def name(self) -> str:
        return self.transformations.parent.name
