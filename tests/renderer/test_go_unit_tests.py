"""The renderer's own Go unit tests (scripts/bundle_init/*_test.go) run with the suite.

`scripts/setup` installs Go (the renderer is built with it), so a missing toolchain is a
set-up failure here, not a reason to skip.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "scripts" / "bundle_init"


def declared_tests() -> set[str]:
    """Every `func TestXxx(t *testing.T)` in the package's test files."""
    pattern = re.compile(r"^func (Test\w+)\(t \*testing\.T\)", re.MULTILINE)
    return {name for path in PACKAGE.glob("*_test.go") for name in pattern.findall(path.read_text())}


def test_go_unit_tests_pass() -> None:
    go = shutil.which("go")
    assert go, "Go is missing: run `bash scripts/setup` (it installs golang-go)"
    env = {**os.environ, "GOPROXY": "off", "GOFLAGS": "-mod=mod", "CGO_ENABLED": "0"}
    done = subprocess.run(
        [go, "test", "-count=1", "-json", "./..."],
        cwd=PACKAGE,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    events = [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]
    top_level = {e["Test"]: e["Action"] for e in events if e.get("Test") and "/" not in e["Test"]}
    outcomes = {name: action for name, action in top_level.items() if action in ("pass", "fail", "skip")}
    failed = sorted(name for name, action in outcomes.items() if action != "pass")
    assert done.returncode == 0 and not failed, f"{failed}\n{done.stdout[-4000:]}\n{done.stderr[-2000:]}"
    assert set(outcomes) == declared_tests(), "every declared Go test ran and passed"
