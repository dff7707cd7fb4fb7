"""The template's minimum Databricks CLI version is the one its rendered bundle needs.

`tests/bundle/cli_schema_facts.json` (written by scripts/cli_schema_facts.py from the CLI's
own bundle JSON schema at every release tag, bundle/schema/jsonschema.json) says from which
CLI version each key path is accepted, which CLI rules the schema cannot show apply
(BEHAVIOURS in the script), and which fields each schema type requires. Renders of a covering
set of answers (the script's `covering_answers`) are checked against it:

(a) every key path and enum value used is in the table: a new field needs a recompute;
(b) `min_databricks_cli_version` is exactly the newest first version of anything used;
(c) MIN_VERSION of `medallion deploy`, its messages, and tests/rendering.py agree;
(d) every mapping carries its type's required fields in its own file, as an editor
    validating that one file against the bundle schema sees it.

Cross-checks of the table against the CLI's CHANGELOG.md and git history (mirror at v1.13.0):
pipeline `environment` "Added support for pipeline environment field (#3153)" v0.258.0;
`lifecycle.prevent_destroy` (#3448), listed under v0.267.0 but first in tag v0.268.0;
bundle `run_as` with pipelines (#3307) v0.267.0, before which run_as.go refused it; the
minimum, v0.281.0, is a dashboard's `dataset_catalog` / `dataset_schema` ("Add support for
configurable catalog/schema for dashboards (#4130)", commit b6349a4db7, first in tag v0.281.0),
which point the data-quality dashboard at each target's schema; SQL alerts need v0.279.0. Docs:
https://docs.azure.cn/en-us/databricks/dev-tools/bundles/resources (unknown properties only
warn, so an older CLI drops lifecycle silently) and
https://docs.databricks.com/dev-tools/bundles/run-as.html (pipelines under another identity).
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.rendering import MIN_CLI_VERSION, REPO

FACTS_FILE = Path(__file__).with_name("cli_schema_facts.json")
SCRIPT = REPO / "scripts" / "cli_schema_facts.py"
DEPLOY_BUNDLE = (
    REPO / "template" / "{{.project_name}}" / "src" / "medallion" / "tooling" / "deploy_loop" / "bundle.py"
)
FACTS: dict[str, Any] = json.loads(FACTS_FILE.read_text())
MAPS = set(FACTS["maps"])

# Enum values the schema lists only from a version above the minimum. An unlisted enum value
# costs a warning from `bundle validate` (bundle/config/validate/enum.go, Severity Warning)
# and the value still reaches the API, whereas an unknown key is dropped: values do not raise
# the minimum, but each such value is a decision recorded here.
KNOWN_ENUM_WARNINGS = {
    # v0.268.0 (#3396) added an enum for schema privileges without this value; v0.287.0
    # (#4380) added it. Earlier releases take any string.
    "resources.schemas.*.grants.*.privileges.*=CREATE_MATERIALIZED_VIEW",
    "targets.*.resources.schemas.*.grants.*.privileges.*=CREATE_MATERIALIZED_VIEW",
}


def _script() -> Any:
    spec = importlib.util.spec_from_file_location("cli_schema_facts", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("cli_schema_facts", module)
    spec.loader.exec_module(module)
    return module


facts_script = _script()


def version(text: str) -> tuple[int, ...]:
    return tuple(int(p) for p in text.removeprefix("v").split("."))


def shown(parts: tuple[int, ...]) -> str:
    return "v" + ".".join(map(str, parts))


@dataclass
class Render:
    answers: dict[str, str]
    files: dict[str, Any]  # path relative to the project -> parsed YAML

    def nodes(self) -> list[tuple[str, str, str, Any]]:
        """(file, normalised path, literal path, value) of every node of every bundle file."""
        return [
            (file, path, literal, value)
            for file, doc in self.files.items()
            for path, literal, value in facts_script.walk(doc, MAPS.__contains__)
        ]


@pytest.fixture(scope="module")
def renders(tmp_path_factory: pytest.TempPathFactory) -> list[Render]:
    out = []
    for answers, project in facts_script.render_covering_set(tmp_path_factory.mktemp("min_cli")):
        files = {
            str(f.relative_to(project)): yaml.safe_load(f.read_text()) or {}
            for f in facts_script.bundle_files(project)
        }
        out.append(Render(answers, files))
    return out


def needs(render: Render) -> list[tuple[tuple[int, ...], str]]:
    """(first version, what) of every key path and CLI rule this render relies on."""
    used = {path for _, path, _, _ in render.nodes()}
    found = [(version(FACTS["paths"][p]), f"key {p}") for p in used if FACTS["paths"].get(p)]
    for rule in FACTS["behaviours"]:
        if all(any(p in used for p in group) for group in rule["when_all"]):
            found.append((version(rule["first_version"]), f"rule {rule['id']}: {rule['what']}"))
    return found


def computed_minimum(renders: list[Render]) -> tuple[tuple[int, ...], list[str]]:
    """The newest first version any render needs, and what needs it."""
    every = [need for render in renders for need in needs(render)]
    newest = max(v for v, _ in every)
    return newest, sorted({what for v, what in every if v == newest})


def test_the_table_says_where_it_comes_from() -> None:
    source = FACTS["computed_from"]
    assert re.fullmatch(r"v\d+\.\d+\.\d+", source["tag"]) and re.fullmatch(r"[0-9a-f]{40}", source["commit"])
    assert "scripts/cli_schema_facts.py --cli-checkout" in FACTS["recompute"]


def test_every_key_path_and_enum_value_used_is_in_the_table(renders: list[Render]) -> None:
    enum_paths = {key.split("=", 1)[0] for key in FACTS["values"]}
    newest = FACTS["computed_from"]["tag"]
    missing: dict[str, str] = {}
    for render in renders:
        for file, path, literal, value in render.nodes():
            where = f"{file}: {literal} (answers {json.dumps(render.answers)})"
            if path not in FACTS["paths"]:
                missing.setdefault(f"key path {path}", where)
            elif FACTS["paths"][path] is None:
                missing.setdefault(f"key path {path} (no CLI up to {newest} has it)", where)
            elif path in enum_paths and (value_key := f"{path}={value}") not in FACTS["values"]:
                missing.setdefault(f"value {value_key}", where)
            elif path in enum_paths and FACTS["values"][value_key] is None:
                missing.setdefault(f"value {value_key} (no CLI up to {newest} lists it)", where)
    assert not missing, (
        f"not in {FACTS_FILE.relative_to(REPO)}, which says from which CLI version each field works; "
        f"recompute it with\n    {FACTS['recompute']}\nthen set min_databricks_cli_version:\n"
        + "\n".join(f"  {what}   at {where}" for what, where in sorted(missing.items()))
    )


def test_min_databricks_cli_version_is_what_the_bundle_needs(renders: list[Render]) -> None:
    template_schema = json.loads((REPO / "databricks_template_schema.json").read_text())
    claimed = version(template_schema["min_databricks_cli_version"])
    needed, by = computed_minimum(renders)
    assert claimed >= needed, (
        f"min_databricks_cli_version {shown(claimed)} is older than {shown(needed)}, "
        f"which the rendered bundle needs for: {'; '.join(by)}"
    )
    assert claimed == needed, (
        f"min_databricks_cli_version {shown(claimed)} over-claims: the newest thing the rendered "
        f"bundle needs is {shown(needed)} ({'; '.join(by)})"
    )


def test_enum_values_newer_than_the_minimum_are_known_warnings(renders: list[Render]) -> None:
    needed, _ = computed_minimum(renders)
    used = {
        f"{path}={value}"
        for render in renders
        for _, path, _, value in render.nodes()
        if facts_script.leaf_values(value)
    }
    newer = {
        key: first
        for key, first in FACTS["values"].items()
        if key in used and first and version(first) > needed and key not in KNOWN_ENUM_WARNINGS
    }
    assert not newer, f"enum values that CLIs from {shown(needed)} warn about: {newer}"


def test_every_stated_minimum_agrees(renders: list[Render]) -> None:
    needed, _ = computed_minimum(renders)
    text = DEPLOY_BUNDLE.read_text()
    match = re.search(r"^MIN_VERSION = \((\d+), (\d+), (\d+)\)$", text, re.MULTILINE)
    assert match, f"no MIN_VERSION = (x, y, z) in {DEPLOY_BUNDLE.relative_to(REPO)}"
    assert tuple(map(int, match.groups())) == needed, "MIN_VERSION of medallion deploy"
    assert needed == MIN_CLI_VERSION, "MIN_CLI_VERSION of tests/rendering.py"
    stated = set(re.findall(r"(?:>=|before) v?(\d+\.\d+(?:\.\d+)?)", text))
    wanted = {f"{needed[0]}.{needed[1]}", ".".join(map(str, needed))}
    assert stated <= wanted, f"{DEPLOY_BUNDLE.relative_to(REPO)} tells users other versions: {stated}"
    # databricks.yml makes an older CLI refuse to deploy instead of dropping what it lacks.
    for render in renders:
        bundle = render.files["databricks.yml"]["bundle"]
        assert bundle.get("databricks_cli_version") == ">= {}.{}.{}".format(*needed), render.answers


def test_every_mapping_has_its_required_fields_in_its_own_file(renders: list[Render]) -> None:
    problems: dict[str, str] = {}
    for render in renders:
        for file, doc in render.files.items():
            mappings = [("", "(top level)", doc)]
            mappings += [
                (path, literal, value)
                for path, literal, value in facts_script.walk(doc, MAPS.__contains__)
                if isinstance(value, dict)
            ]
            for path, literal, value in mappings:
                kind = FACTS["types"].get(path)
                lacking = [f for f in FACTS["required"].get(kind, []) if f not in value]
                if lacking:
                    problem = f"{file}: {literal} lacks {', '.join(lacking)} (required by {kind})"
                    problems.setdefault(problem, json.dumps(render.answers))
    assert not problems, (
        "an editor validating each file against the bundle schema "
        f"({FACTS['computed_from']['tag']}) reports:\n"
        + "\n".join(f"  {p}   (answers {a})" for p, a in sorted(problems.items()))
    )


@pytest.mark.skipif(
    not os.environ.get("DATABRICKS_CLI_CHECKOUT"),
    reason="set DATABRICKS_CLI_CHECKOUT to a clone of github.com/databricks/cli to recompute the table",
)
def test_the_table_is_current(tmp_path: Path) -> None:
    out = tmp_path / "facts.json"
    facts_script.main(["--cli-checkout", os.environ["DATABRICKS_CLI_CHECKOUT"], "--out", str(out)])
    fresh = json.loads(out.read_text())
    for part in ("paths", "values", "behaviours", "maps", "types", "required"):
        assert fresh[part] == FACTS[part], f"{part} differs: recompute with {FACTS['recompute']}"
