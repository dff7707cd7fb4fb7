"""Import the `medallion` helpers straight from the template (they are copied as they are)."""

from __future__ import annotations

import sys
from pathlib import Path

HELPERS = Path(__file__).resolve().parents[2] / "template" / "{{.project_name}}" / "src"
if str(HELPERS) not in sys.path:
    sys.path.insert(0, str(HELPERS))
