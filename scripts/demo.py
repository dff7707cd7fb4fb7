"""The first-run demo: render the template with its defaults into a fresh folder, run the
generated pipeline locally end to end on the dirty retail sample, and judge it.

Run it with `make demo` (which sets up the environment first); `--out DIR` renders elsewhere.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
DEMO_DIR = REPO / "build" / "demo"
PROJECT = "medallion_pipeline"


def stage(number: int, total: int, text: str) -> None:
    print(f"[{number}/{total}] {text}", flush=True)


PROGRESS = re.compile(
    r"^\s+[\d.]+s\s+(?P<what>.+?)( done \(\d+ table\(s\)\)(; about \d+s left)?| FAILED| SKIPPED)$"
)
"""run-local's progress lines off a terminal: a layer done, or a flow failed or skipped."""
JVM_NOTICES = ("WARNING: Using incubator modules:",)
PAGE_LINE = "page        "
"""The text report's line naming report.html (medallion.tooling.local.run_report_text)."""


def run(command: list[str], cwd: Path, env: dict[str, str]) -> int:
    return subprocess.run(command, cwd=cwd, env=env, check=False).returncode


def run_folding_flow_states(command: list[str], cwd: Path, env: dict[str, str], report: Path) -> int:
    """Run, printing the output (stderr merged) except the JVM's start-up notice and the
    progress lines (a failed flow's is kept); the last line (the run's verdict) gets the flows'
    final states from the run's report."""
    last = ""
    with subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            if line.startswith(JVM_NOTICES):
                continue
            match = PROGRESS.match(line.rstrip("\n"))
            if match and not line.rstrip().endswith("FAILED"):
                continue
            if line.startswith(PAGE_LINE):
                continue  # the demo ends with the page's path
            if last:
                print(last, end="", flush=True)
            last = line
    try:
        final = json.loads(report.read_text()).get("flows") or {}
    except (OSError, ValueError):
        final = {}
    states = Counter(final.values())
    flows = "flows: " + ", ".join(f"{n} {state.lower()}" for state, n in sorted(states.items()))
    print(f"{last.rstrip()}; {flows}", flush=True)
    return process.returncode


def sample_summary(manifest_path: Path) -> str:
    """'rows: customers 73, ...; 26 seeded defects: fixtures/sample/manifest.json'."""
    manifest = json.loads(manifest_path.read_text())
    tables = ", ".join(f"{name} {info['rows']}" for name, info in manifest["tables"].items())
    where = manifest_path.relative_to(manifest_path.parents[2])
    return f"rows: {tables}; {len(manifest['defects'])} seeded defects: {where}"


def shown(path: Path) -> str:
    """A path as the user should read it: relative to the repository when inside it."""
    return str(path.relative_to(REPO)) if path.is_relative_to(REPO) else str(path)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEMO_DIR, help="folder to render into (emptied first)")
    out = parser.parse_args(argv).out.resolve()
    if out.exists() and any(out.iterdir()) and not (out / "answers.json").exists():
        parser.error(f"{out} holds files but no earlier demo (answers.json): choose an empty or new folder")
    started = time.monotonic()
    total = 4
    stage(1, total, f"render the template with default answers into {shown(out)}/")
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir(parents=True)
    answers = out / "answers.json"
    answers.write_text("{}")
    env = {
        **os.environ,
        "DATABRICKS_HOST": os.environ.get("DATABRICKS_HOST", "https://your-workspace.cloud.example"),
        "DATABRICKS_USER_NAME": os.environ.get("DATABRICKS_USER_NAME", "you@example.com"),
    }
    render = subprocess.run(
        [
            str(REPO / "scripts" / "bundle-init"),
            str(REPO),
            "--config-file",
            str(answers),
            "--output-dir",
            str(out),
        ],
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if render.returncode != 0:
        print(render.stdout + render.stderr, file=sys.stderr)
        return render.returncode
    project = out / PROJECT
    files = sum(1 for p in project.rglob("*") if p.is_file())
    print(f"      {files} files in {shown(project)}/")

    env = {**env, "PYTHONPATH": str(project / "src"), "PYTHONWARNINGS": "ignore"}
    python = sys.executable
    stage(
        2, total, "generate the dirty retail sample (NULL keys, duplicates, late updates, bad text, orphans)"
    )
    sample = subprocess.run(
        [python, "-m", "medallion", "sample-data", "--out", "fixtures/sample"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if sample.returncode:
        print(sample.stdout + sample.stderr, file=sys.stderr)
        return sample.returncode
    print("      " + sample_summary(project / "fixtures" / "sample" / "manifest.json"))
    stage(3, total, "run bronze -> silver -> gold on local Apache Spark Declarative Pipelines")
    report = project / ".medallion" / "report.json"
    code = run_folding_flow_states(
        [python, "-m", "medallion", "run-local", "--report-json", str(report)], project, env, report
    )
    stage(4, total, "judge the run with the monitor's criteria")
    verdict = run(
        [python, "-m", "medallion", "monitor", "--local", "--brief", "--report-json-in", str(report)],
        project,
        env,
    )
    page = project / ".medallion" / "report.html"
    where = f"report page: {shown(page)}" if page.exists() else f"project: {shown(project)}/"
    print(f"demo finished in {time.monotonic() - started:.0f} s; {where}")
    return code or verdict


if __name__ == "__main__":
    sys.exit(main())
