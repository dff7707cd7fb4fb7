"""Generated GitHub Actions workflows: actionlint-clean, OIDC auth, the promised triggers."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.rendering import REPO, python_with_project
from tests.template import actionlint


@pytest.fixture(scope="module")
def linter_ready() -> None:
    reason = actionlint.ensure_installed()
    if reason:
        pytest.skip(reason)


def workflows(project: Path) -> dict[str, dict]:
    folder = project / ".github" / "workflows"
    return {p.name: yaml.safe_load(p.read_text()) for p in sorted(folder.glob("*.yml"))}


@pytest.mark.parametrize("answers", [{}, {"prod_run_as": "8f3c2a71-1b2c-4d5e-9f00-123456789abc"}])
def test_workflows_pass_actionlint(render_answers, linter_ready, answers: dict) -> None:
    project = render_answers(ci="github", **answers)
    files = sorted((project / ".github" / "workflows").glob("*.yml"))
    assert [f.name for f in files] == ["ci.yml", "deploy.yml"]
    assert actionlint.lint(files) == []


def test_actionlint_reports_findings(linter_ready, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yml"
    steps = "    steps:\n      - run: echo ${{ github.nope }}\n"
    bad.write_text("on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n" + steps)
    assert actionlint.lint([bad]), "the linter must not pass everything"


def test_triggers_and_targets(render_answers) -> None:
    project = render_answers(ci="github")
    flows = workflows(project)
    ci, deploy = flows["ci.yml"], flows["deploy.yml"]
    # PyYAML reads the key `on` as True.
    assert "pull_request" in ci[True]
    assert ci["jobs"]["validate"]["strategy"]["matrix"]["target"] == ["dev", "staging", "prod"]
    local = "\n".join(str(step.get("run", "")) for step in ci["jobs"]["local-tests"]["steps"])
    assert "pip install -e '.[local,dev]'" in local and "pytest" in local
    uses = [step.get("uses", "") for step in ci["jobs"]["local-tests"]["steps"]]
    assert "actions/setup-java@v4" in uses and "actions/setup-python@v5" in uses
    assert deploy[True]["push"] == {"branches": ["main"], "tags": ["v*"]}
    staging = "\n".join(str(s.get("run", "")) for s in deploy["jobs"]["staging"]["steps"])
    assert "medallion deploy --target staging" in staging
    prod = "\n".join(str(s.get("run", "")) for s in deploy["jobs"]["prod"]["steps"])
    assert "databricks bundle deploy -t prod" in prod
    assert "refs/tags/v" in deploy["jobs"]["prod"]["if"]


def test_auth_comes_from_the_environment(render_answers) -> None:
    project = render_answers(ci="github")
    for name, flow in workflows(project).items():
        text = (project / ".github" / "workflows" / name).read_text()
        assert "{{" not in text.replace("${{", ""), "an unescaped Go template action was left"
        assert "DATABRICKS_TOKEN" not in text and "secrets." not in text, f"{name} uses a stored credential"
        for job_name, job in flow["jobs"].items():
            steps = [s.get("uses", "") for s in job["steps"]]
            if not any(step.startswith("databricks/setup-cli@") for step in steps):
                continue
            assert job["env"]["DATABRICKS_AUTH_TYPE"] == "github-oidc", job_name
            assert job["env"]["DATABRICKS_HOST"] == "${{ vars.DATABRICKS_HOST }}"
            assert job["env"]["DATABRICKS_CLIENT_ID"] == "${{ vars.DATABRICKS_CLIENT_ID }}"
            permissions = job.get("permissions") or flow["permissions"]
            assert permissions["id-token"] == "write", job_name
    scan = subprocess.run(
        [
            sys.executable,
            "-m",
            "medallion.tooling.checks.secrets",
            *map(str, (project / ".github").rglob("*.yml")),
        ],
        env=python_with_project(project),
        capture_output=True,
        text=True,
        check=False,
    )
    assert scan.returncode == 0, scan.stdout


def test_no_workflows_without_ci(render_answers) -> None:
    assert not (render_answers(ci="none") / ".github").exists()


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in text.lstrip("v").split("."))


def test_databricks_cli_is_pinned_to_a_release_at_least_the_minimum(render_answers) -> None:
    """A first-deploy defect: `databricks/setup-cli@main` installs whatever CLI is newest that day."""
    project = render_answers(ci="github")
    minimum = json.loads((REPO / "databricks_template_schema.json").read_text())["min_databricks_cli_version"]
    pinned = []
    for flow in workflows(project).values():
        for job in flow["jobs"].values():
            for step in job["steps"]:
                uses = step.get("uses", "")
                if uses.startswith("databricks/setup-cli@"):
                    ref = uses.split("@", 1)[1]
                    assert re.fullmatch(r"v\d+\.\d+\.\d+", ref), f"{uses}: pin a release tag"
                    assert _version(ref) >= _version(minimum), f"{uses} is older than {minimum}"
                    pinned.append(ref)
    assert len(pinned) >= 3 and len(set(pinned)) == 1, pinned


def oidc_subjects(flows: dict[str, dict]) -> set[str]:
    """The `sub` claim of each job's GitHub OIDC token (docs.github.com, "About security hardening
    with OpenID Connect", example subject claims): an environment wins, else the event."""
    subjects = set()
    for flow in flows.values():
        events = flow[True] if isinstance(flow[True], dict) else {flow[True]: None}
        for job in flow["jobs"].values():
            if job.get("env", {}).get("DATABRICKS_AUTH_TYPE") != "github-oidc":
                continue
            if "environment" in job:
                subjects.add(f"repo:<owner>/<repo>:environment:{job['environment']}")
            elif "pull_request" in events:
                subjects.add("repo:<owner>/<repo>:pull_request")
    return subjects


def test_readme_names_a_federation_policy_for_every_oidc_subject(render_answers) -> None:
    """A first-deploy defect: the validate job has no environment, so its token's subject differs
    from the deploy jobs' and a policy written for them refuses it."""
    project = render_answers(ci="github")
    subjects = oidc_subjects(workflows(project))
    assert "repo:<owner>/<repo>:pull_request" in subjects and len(subjects) == 3, subjects
    readme = " ".join((project / "README.md").read_text().split())
    for subject in subjects:
        assert f"`{subject}`" in readme, f"README names no federation policy for {subject}"
