"""One classic local Spark session for the pure gold builders, and the specs they use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from medallion.spec import Spec, load_spec

REPO = Path(__file__).resolve().parents[2]
TEMPLATE_PROJECT = REPO / "template" / "{{.project_name}}"
SPECS = Path(__file__).with_name("specs")


def retail_spec_text() -> str:
    """The template's retail spec with the default answers (files, json), without Go."""
    text = (TEMPLATE_PROJECT / "medallion.yml.tmpl").read_text()
    text = re.sub(r"\{\{- if eq \.source_type \"files\"\}\}\n(.*?)\{\{- end\}\}", r"\1", text, flags=re.S)
    text = text.replace("{{.source_type}}", "files").replace("{{.file_format}}", "json")
    retail = re.search(r"\{\{- if eq \.is_retail_sample \"yes\"\}\}\n(.*?)\{\{- else\}\}", text, flags=re.S)
    assert retail, "the retail branch of medallion.yml.tmpl moved: update retail_spec_text"
    text = text[: retail.start()] + retail.group(1)
    assert "{{" not in text, text
    return text


@pytest.fixture(scope="session")
def retail_spec(tmp_path_factory: pytest.TempPathFactory) -> Spec:
    path = tmp_path_factory.mktemp("retail") / "medallion.yml"
    path.write_text(retail_spec_text())
    return load_spec(path)


@pytest.fixture(scope="session")
def library_spec() -> Spec:
    return load_spec(SPECS / "library.yml")
