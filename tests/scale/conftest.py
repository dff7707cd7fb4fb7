"""scripts/ on sys.path so that `import datagen` finds the generator (scripts/datagen/)."""

from __future__ import annotations

import sys

from tests.rendering import REPO

SCRIPTS = REPO / "scripts"
if str(SCRIPTS) not in sys.path:
    sys.path.insert(0, str(SCRIPTS))
