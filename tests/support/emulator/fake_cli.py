"""A `databricks` CLI for tests, backed by the emulator: `--version`, `bundle --help`,
`bundle validate -t T [-o json]`, `bundle deploy -t T`, `bundle summary -t T -o json`,
`bundle run -t T <job> [--no-wait]`.

The executable (`install(bin_dir)` writes it) is a thin client: it sends its arguments and
working directory to the emulator server at DATABRICKS_HOST (`POST /emulator/cli`), which
resolves the bundle with the emulator's resolver, deploys into the emulated workspace and
starts runs, so one process holds the workspace's state. Output follows the real CLI's:
validate's JSON is the resolved configuration (cmd/bundle/validate.go), deploy reports on
stderr (bundle/phases/deploy.go progress lines), run prints the run URL
(cmd/bundle/run.go), errors go to stderr as `Error: ...` with exit code 1.
"""

from __future__ import annotations

import json
import os
import stat
import sys
import urllib.request
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from tests.support.emulator.server import Emulator

VERSION = "1.13.0"  # the release the emulator follows (tests/support/emulator/__init__.py)
REPO = Path(__file__).resolve().parents[3]


def _option(args: list[str], *names: str) -> str | None:
    for index, arg in enumerate(args):
        if arg in names and index + 1 < len(args):
            return args[index + 1]
        for name in names:
            if arg.startswith(name + "="):
                return arg.split("=", 1)[1]
    return None


def _positional(args: list[str]) -> list[str]:
    with_value = {"-t", "--target", "-o", "--output", "-p", "--profile", "--var"}
    found, skip = [], False
    for arg in args:
        if skip:
            skip = False
            continue
        if arg in with_value:
            skip = True
            continue
        if not arg.startswith("-"):
            found.append(arg)
    return found


def handle(emulator: Emulator, args: list[str], cwd: Path) -> tuple[int, str, str]:
    """One CLI command inside the emulator: (exit code, stdout, stderr)."""
    if args[:1] == ["--version"]:
        return 0, f"Databricks CLI v{VERSION}\n", ""
    if args[:1] != ["bundle"]:
        return 1, "", f"Error: unknown command {args[:1]}\n"
    rest = args[1:]
    command = rest[0] if rest else "--help"
    if command in ("--help", "-h"):
        return 0, "Databricks Asset Bundles let you express data/AI/analytics projects as code.\n", ""
    target = _option(rest, "-t", "--target")
    as_json = _option(rest, "-o", "--output") == "json"
    try:
        if command == "validate":
            resolved = emulator.resolve(cwd, target)
            if resolved.errors:
                return 1, "", "".join(f"Error: {e.summary}\n" for e in resolved.errors)
            if as_json:
                return 0, json.dumps(resolved.validate_json, indent=2) + "\n", ""
            name = (resolved.config.get("bundle") or {}).get("name")
            return 0, f"Name: {name}\nTarget: {resolved.target}\n\nValidation OK!\n", ""
        if command == "deploy":
            emulator.deploy(cwd, target)
            names = sorted(emulator.resolve(cwd, target).config.get("artifacts") or {})
            building = "".join(f"Building {n}...\n" for n in names)
            return (
                0,
                "",
                building + "Uploading bundle files...\nDeploying resources...\nDeployment complete!\n",
            )
        if command == "summary":
            return 0, json.dumps(emulator.summary(cwd, target), indent=2) + "\n", ""
        if command == "run":
            return _run(emulator, rest, cwd, target)
    except Exception as error:
        return 1, "", f"Error: {error}\n"
    return 1, "", f"Error: unknown bundle command {command}\n"


def _run(emulator: Emulator, rest: list[str], cwd: Path, target: str | None) -> tuple[int, str, str]:
    keys = _positional(rest)[1:]
    summary = emulator.summary(cwd, target)
    jobs = (summary.get("resources") or {}).get("jobs") or {}
    if not keys or keys[0] not in jobs or "id" not in jobs[keys[0]]:
        return 1, "", f"Error: resource with key {keys[0] if keys else ''!r} not found (deploy first)\n"
    job_id = int(jobs[keys[0]]["id"])
    run_id = emulator.run_now(job_id)
    with emulator.fake.lock:
        emulator.fake.requests.append(("RUN_NOW", str(run_id), {"job_id": job_id}))
    url = f"Run URL: {emulator.host}/?o=1#job/{job_id}/run/{run_id}\n"
    if "--no-wait" in rest:
        return 0, url, ""
    (run,) = emulator.wait(run_id)
    code = 0 if run.result_state in ("SUCCESS", "SUCCESS_WITH_FAILURES") else 1
    return (
        code,
        url + f"\n{run.result_state}\n",
        "" if code == 0 else f"Error: run {run_id} {run.result_state}\n",
    )


def main(args: list[str]) -> int:
    """The executable: forward to the emulator at DATABRICKS_HOST."""
    if args[:1] == ["--version"]:
        print(f"Databricks CLI v{VERSION}")
        return 0
    host, token = os.environ.get("DATABRICKS_HOST"), os.environ.get("DATABRICKS_TOKEN", "")
    if not host:
        print("Error: DATABRICKS_HOST is not set (the emulator's URL)", file=sys.stderr)
        return 1
    request = urllib.request.Request(
        host.rstrip("/") + "/emulator/cli",
        data=json.dumps({"args": args, "cwd": os.getcwd()}).encode(),
        method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    answer: dict[str, Any] = json.loads(urllib.request.urlopen(request, timeout=3600).read())
    sys.stdout.write(answer["stdout"])
    sys.stderr.write(answer["stderr"])
    return int(answer["code"])


def install(bin_dir: Path) -> Path:
    """Write a `databricks` executable into `bin_dir` (put it first on PATH)."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    executable = bin_dir / "databricks"
    executable.write_text(
        f"#!{sys.executable}\n"
        "import sys\n"
        f"sys.path.insert(0, {str(REPO)!r})\n"
        "from tests.support.emulator.fake_cli import main\n"
        "sys.exit(main(sys.argv[1:]))\n"
    )
    executable.chmod(executable.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return executable
