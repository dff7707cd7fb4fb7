"""`medallion settings` offline on a rendered bundle: target overrides merge key by key."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from medallion.cli import main
from tests.rendering import render_project

EXTERNAL = "/Volumes/raw/shop/incoming"


def test_dev_override_keeps_the_rest_of_the_configuration(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture
) -> None:
    """The dev target overrides one configuration key (the sample's landing volume); a shallow
    merge dropped the engine and spec path with it."""
    project = render_project({"source_location": EXTERNAL}, tmp_path / "render")
    monkeypatch.setenv("PATH", "/nonexistent")  # no CLI: the offline resolution
    settings = {}
    for target in ("dev", "prod"):
        assert main(["settings", "-t", target, "--project", str(project)]) == 0
        settings[target] = json.loads(capsys.readouterr().out)["configuration"]
    assert settings["prod"]["medallion.source_location"] == EXTERNAL
    assert settings["dev"]["medallion.source_location"].endswith("/landing")
    assert settings["dev"]["medallion.source_location"] != EXTERNAL
    for key in ("medallion.engine", "medallion.spec_path"):
        assert settings["dev"][key] == settings["prod"][key], key
