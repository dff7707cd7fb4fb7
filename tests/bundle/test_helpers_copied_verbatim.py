"""The bundled helpers reach users byte for byte, so unit tests may import them from the template."""

from __future__ import annotations

from pathlib import Path

from tests.rendering import TEMPLATE_SRC, files_of


def test_rendered_helpers_equal_template_helpers(default_project: Path) -> None:
    template = TEMPLATE_SRC / "medallion"
    rendered = default_project / "src" / "medallion"
    names = [n for n in files_of(template) if "__pycache__" not in n]
    assert names == [n for n in files_of(rendered) if "__pycache__" not in n]
    for name in names:
        assert (template / name).read_bytes() == (rendered / name).read_bytes(), name
