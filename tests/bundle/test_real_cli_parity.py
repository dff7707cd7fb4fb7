"""When a real `databricks` CLI is on PATH, it and the offline renderer produce the same files."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.rendering import RENDERER, files_of, real_cli, render

CLI = real_cli()


@pytest.mark.skipif(CLI is None, reason="no real Databricks CLI with `bundle init` on PATH")
@pytest.mark.parametrize("answers", [{}, {"source_type": "kafka", "ci": "none"}], ids=["defaults", "kafka"])
def test_offline_renderer_matches_real_cli(answers: dict[str, str], tmp_path: Path) -> None:
    offline = render(answers, tmp_path / "offline", renderer=[str(RENDERER)])
    real = render(answers, tmp_path / "real", renderer=[str(CLI), "bundle", "init"])
    assert offline.returncode == real.returncode == 0
    assert files_of(offline.output_dir) == files_of(real.output_dir)
    for name in files_of(offline.output_dir):
        if name.endswith("databricks.yml"):
            continue  # bundle uuid differs between renders
        assert (offline.output_dir / name).read_bytes() == (real.output_dir / name).read_bytes(), name
