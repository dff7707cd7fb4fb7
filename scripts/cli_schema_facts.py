#!/usr/bin/env python3
"""Which Databricks CLI versions accept the bundle configuration this template renders.

Renders the template with a covering set of answers, collects every key path of every bundle
configuration file (databricks.yml and the files its `include` names; `targets.<t>.resources`
are resources too), and looks each one up in the CLI's own bundle JSON schema
(`bundle/schema/jsonschema.json`, first shipped in v0.229.0) at every release tag x.y.0 and
the newest tag. Writes a small data file that the tests use without a CLI checkout:

- `paths`: normalised key path -> first CLI version from which every later release's schema
  accepts it (map keys of user-named things and list items are `*`: resource keys, target
  and variable names, task lists, `configuration` keys);
- `values`: `path=value` -> first version whose schema lists an enum value the template uses;
- `behaviours`: rules the schema cannot show, found in the CLI source at each tag;
- `maps`: the normalised paths whose keys are user-named (how to normalise);
- `types` and `required`: the schema type of every mapping the renders contain, and that
  type's `required` fields at the newest tag (what an editor validating one file reports).

A path first accepted at a x.y.0 tag is refined with the patch releases just before it.
Paths accepted at v0.229.0 may be older (earlier tags generate the schema at run time).

    .venv/bin/python scripts/cli_schema_facts.py --cli-checkout /path/to/databricks/cli \\
        [--out tests/bundle/cli_schema_facts.json]

`--cli-checkout` is a clone of https://github.com/databricks/cli with its tags (bare or not).

Cross-checked against the CLI's CHANGELOG.md (the mirror's HEAD, v1.13.0) and the docs:
- pipeline `environment`: "Added support for pipeline environment field (#3153)", v0.258.0;
  the schema has the field from v0.257.0 (an SDK update) but only v0.258.0 uploads and
  rewrites a local wheel in it: see BEHAVIOURS;
- `lifecycle.prevent_destroy`: "Add support for `lifecycle prevent_destroy` option (#3448)",
  listed under v0.267.0, but its commit e5a4da54b9 is first contained in tag v0.268.0, the
  first schema with `lifecycle`. An older CLI only warns about an unknown key and drops it
  ("bundle validate returns warnings if unknown resource properties are found",
  https://docs.azure.cn/en-us/databricks/dev-tools/bundles/resources), so prod would
  deploy without the protection;
- bundle `run_as` with pipelines: "Add top level `run_as` support for Lakeflow Declarative
  Pipelines (#3307)", v0.267.0; before it `validateRunAs` in
  bundle/config/mutator/resourcemutator/run_as.go rejected a run_as identity other than the
  deployer whenever the bundle had a pipeline ("DLT pipelines do not support run_as in the
  API."), which the schema does not show: see BEHAVIOURS. The run-as docs say the same in
  both eras: earlier "Pipelines and model serving endpoints are not supported" with another
  identity, now "only jobs and pipelines are supported"
  (https://docs.databricks.com/dev-tools/bundles/run-as.html).
"""

from __future__ import annotations

import argparse
import itertools
import json
import re
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

import yaml

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from tests.rendering import render_project  # noqa: E402

DEFAULT_OUT = REPO / "tests" / "bundle" / "cli_schema_facts.json"
SCHEMA_FILE = "bundle/schema/jsonschema.json"
RECOMPUTE = ".venv/bin/python scripts/cli_schema_facts.py --cli-checkout <clone of github.com/databricks/cli>"
ANY = "*"

# Rules of the CLI that no JSON schema shows. `when_all`: in one render, every group has a
# key path that render uses. Supported at a tag when no file matching `source_files` holds
# `refused_while_present`, or some file holds `supported_while_present`.
BEHAVIOURS: list[dict[str, Any]] = [
    {
        "id": "run_as_with_pipelines",
        "what": "a bundle run_as identity while the bundle has a pipeline",
        "when_all": [
            ["run_as", "targets.*.run_as"],
            ["resources.pipelines.*", "targets.*.resources.pipelines.*"],
        ],
        "source_files": r"^bundle/config/mutator/(resourcemutator/)?run_as\.go$",
        "refused_while_present": "DLT pipelines do not support run_as in the API.",
        "source": "CHANGELOG v0.267.0: Add top level `run_as` support for Lakeflow Declarative "
        "Pipelines (#3307); validateRunAs in bundle/config/mutator/resourcemutator/run_as.go",
    },
    {
        "id": "pipeline_environment_local_wheel",
        "what": "a local wheel (../dist/*.whl) in a pipeline's environment.dependencies, "
        "which the CLI must glob, upload and rewrite",
        "when_all": [["resources.pipelines.*.environment.dependencies.*"]],
        "source_files": r"^bundle/libraries/expand_glob_references\.go$",
        "supported_while_present": 'dyn.Key("environment")',
        "source": "CHANGELOG v0.258.0: Added support for pipeline environment field (#3153), "
        "commit 84a1ae624e; the schema lists the field from v0.257.0 (an SDK update) but "
        "v0.257 neither uploads nor rewrites local paths in it",
    },
]


# ---------------------------------------------------------------------------------------------
# The renders: a covering set of answers, and the key paths of their bundle configuration.


def covering_answers() -> list[dict[str, str]]:
    """Every combination of the answers that shape databricks.yml and resources/*.yml
    (source type, format and location, sample data, CI, production run_as, CI principal), with
    grant_all_privileges and the warehouse (a name: `lookup`, an ID: a default) alternating."""
    sources = [{"source_type": "files", "file_format": f} for f in ("json", "csv", "parquet")]
    sources += [
        # a landing folder inside the pipeline's own schema (the default is one) or elsewhere
        {"source_type": "files", "source_location": "/Volumes/main/medallion_pipeline/raw/v1"},
        {"source_type": "files", "source_location": "/Volumes/ext_catalog/raw/landing"},
        {"source_type": "delta"},
        {"source_type": "kafka"},
    ]
    answers = []
    for index, (source, sample, ci, run_as, with_ci_principal) in enumerate(
        itertools.product(
            sources,
            ("yes", "no"),
            ("github", "none"),
            ("", "8f3c2a71-1b2c-4d5e-9f00-123456789abc"),
            ("yes", "no"),
        )
    ):
        answers.append(
            {
                **source,
                "include_sample_data": sample,
                "ci": ci,
                "prod_run_as": run_as,
                "ci_principal": ("", "3b0c6f0e-7d2a-4c1e-9a55-0f1e2d3c4b5a")[with_ci_principal == "yes"],
                "grant_all_privileges": ("no", "yes")[index % 2],
                "sql_warehouse": ("Serverless Starter Warehouse", "0123456789abcdef")[index // 2 % 2],
            }
        )
    return answers


def render_covering_set(out_dir: Path) -> list[tuple[dict[str, str], Path]]:
    """Render every covering answer set under `out_dir`: (answers, project folder) each."""
    answers = covering_answers()
    with ThreadPoolExecutor(max_workers=4) as pool:
        folders = [out_dir / f"r{index:03d}" for index in range(len(answers))]
        projects = list(pool.map(render_project, answers, folders))
    return list(zip(answers, projects, strict=True))


def bundle_files(project: Path) -> list[Path]:
    """databricks.yml and every file its `include` globs name, in a stable order."""
    root = project / "databricks.yml"
    config = yaml.safe_load(root.read_text()) or {}
    included = {p for pattern in config.get("include", []) for p in project.glob(pattern) if p.is_file()}
    return [root, *sorted(included)]


def join(path: str, segment: str) -> str:
    return f"{path}.{segment}" if path else segment


def walk(doc: Any, is_map: Callable[[str], bool], path: str = "") -> Iterator[tuple[str, str, Any]]:
    """(normalised path, literal path, value) of every node under `doc` except the root.
    Keys of a mapping at a path where `is_map` holds, and list items, become `*`."""
    if isinstance(doc, dict):
        keyed = is_map(path)
        for key, value in doc.items():
            child = join(path, ANY if keyed else str(key))
            yield from _visit(child, str(key), value, is_map)
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            yield from _visit(join(path, ANY), f"[{index}]", value, is_map)


def _visit(
    child: str, literal: str, value: Any, is_map: Callable[[str], bool]
) -> Iterator[tuple[str, str, Any]]:
    yield child, literal, value
    for normalised, tail, inner in walk(value, is_map, child):
        yield normalised, _literal_join(literal, tail), inner


def _literal_join(head: str, tail: str) -> str:
    return head + tail if tail.startswith("[") else f"{head}.{tail}"


def leaf_values(value: Any) -> bool:
    return isinstance(value, str | bool | int | float)


# ---------------------------------------------------------------------------------------------
# One tag's schema: resolve $ref, unwrap oneOf/anyOf, follow properties, maps and items.


class Schema:
    """The bundle JSON schema of one CLI release."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document

    def resolve(self, node: Any) -> list[tuple[str | None, dict[str, Any]]]:
        """The alternatives `node` stands for: (type name, schema) with every `$ref`, `oneOf`
        and `anyOf` followed; the type name is the last `$ref` on the way."""
        return self._resolve(node, None, 0)

    def _resolve(self, node: Any, name: str | None, depth: int) -> list[tuple[str | None, dict[str, Any]]]:
        if not isinstance(node, dict) or depth > 50:
            return []
        if "$ref" in node:
            ref = node["$ref"]
            return self._resolve(self.pointer(ref), short_name(ref), depth + 1)
        branches = node.get("oneOf") or node.get("anyOf")
        if branches:
            return [alt for branch in branches for alt in self._resolve(branch, name, depth + 1)]
        return [(name, node)]

    def pointer(self, ref: str) -> Any:
        node: Any = self.document
        for part in ref.removeprefix("#/").split("/"):
            node = node[part.replace("~1", "/").replace("~0", "~")]
        return node

    def root(self) -> list[tuple[str | None, dict[str, Any]]]:
        return [("(root)", self.document)]

    def child(
        self, alternatives: list[tuple[str | None, dict[str, Any]]], segment: str
    ) -> list[tuple[str | None, dict[str, Any]]]:
        """The alternatives under key `segment` (`*`: a map key or a list item); [] if none."""
        found: list[tuple[str | None, dict[str, Any]]] = []
        for _, node in alternatives:
            if is_any(node):
                found.append((None, {}))
                continue
            if segment == ANY and "items" in node:
                found += self.resolve(node["items"])
            properties = node.get("properties")
            if properties is not None:
                if segment in properties:
                    found += self.resolve(properties[segment]) or [(None, {})]
                continue  # a permissive additionalProperties beside properties is not a field
            if segment == ANY:
                extra = node.get("additionalProperties")
                if isinstance(extra, dict):
                    found += self.resolve(extra) or [(None, {})]
                for pattern_node in node.get("patternProperties", {}).values():
                    found += self.resolve(pattern_node) or [(None, {})]
        return found

    def at(self, path: str) -> list[tuple[str | None, dict[str, Any]]]:
        alternatives = self.root()
        for segment in path.split(".") if path else []:
            alternatives = self.child(alternatives, segment)
            if not alternatives:
                return []
        return alternatives


def short_name(ref: str) -> str:
    return ref.removeprefix("#/$defs/").removeprefix("github.com/databricks/")


def is_any(node: dict[str, Any]) -> bool:
    keys = set(node) - {"description", "markdownDescription", "deprecationMessage", "doNotSuggest"}
    return not keys


def objects(alternatives: list[tuple[str | None, dict[str, Any]]]) -> list[tuple[str | None, dict[str, Any]]]:
    return [(n, s) for n, s in alternatives if s.get("type") == "object" or "properties" in s]


def is_map_node(alternatives: list[tuple[str | None, dict[str, Any]]]) -> bool:
    """User-named keys: an object without declared properties (or an untyped value)."""
    if any(is_any(s) for _, s in alternatives):
        return True
    typed = objects(alternatives)
    return bool(typed) and all("properties" not in s for _, s in typed)


def enum_of(alternatives: list[tuple[str | None, dict[str, Any]]]) -> list[Any] | None:
    """The enum a scalar must be in, or None when some branch takes any value of its type
    (the `${...}` interpolation branches carry a pattern and are not counted)."""
    enums: list[Any] = []
    for _, node in alternatives:
        if "enum" in node:
            enums += node["enum"]
        elif "const" in node:
            enums.append(node["const"])
        elif "pattern" not in node and node.get("type") in ("string", None):
            return None
    return enums or None


def accepts_value(alternatives: list[tuple[str | None, dict[str, Any]]], value: Any) -> bool:
    enum = enum_of(alternatives)
    return enum is None or value in enum or (isinstance(value, str) and "${" in value)


# ---------------------------------------------------------------------------------------------
# The CLI checkout: release tags and the schema at each.


def version_key(tag: str) -> tuple[int, ...]:
    return tuple(int(p) for p in tag.removeprefix("v").split("."))


class Checkout:
    def __init__(self, directory: Path) -> None:
        self.directory = directory
        listed = self.git("tag", "--list", "v*").split()
        self.tags = sorted((t for t in listed if re.fullmatch(r"v\d+\.\d+\.\d+", t)), key=version_key)

    def git(self, *args: str) -> str:
        done = subprocess.run(
            ["git", "-C", str(self.directory), *args], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"git {' '.join(args)}: {done.stderr.strip()}")
        return done.stdout

    def has(self, tag: str, path: str) -> bool:
        return bool(self.git("ls-tree", "--name-only", tag, path).strip())

    @cache  # noqa: B019 (one checkout per run)
    def schema(self, tag: str) -> Schema | None:
        if not self.has(tag, SCHEMA_FILE):
            return None
        return Schema(json.loads(self.git("show", f"{tag}:{SCHEMA_FILE}")))

    @cache  # noqa: B019
    def files(self, tag: str, pattern: str) -> list[str]:
        names = self.git("ls-tree", "-r", "--name-only", tag, "bundle").splitlines()
        return [n for n in names if re.search(pattern, n)]

    def show(self, tag: str, path: str) -> str:
        return self.git("show", f"{tag}:{path}")

    def checked_tags(self) -> list[str]:
        """x.y.0 of every release that ships the schema file, and the newest tag."""
        minors = [t for t in self.tags if t.endswith(".0") and self.has(t, SCHEMA_FILE)]
        return sorted({*minors, self.tags[-1]}, key=version_key)

    def patches_between(self, older: str, newer: str) -> list[str]:
        return [t for t in self.tags if version_key(older) < version_key(t) < version_key(newer)]


def first_version(checkout: Checkout, tags: list[str], accepts: Callable[[str], bool]) -> str | None:
    """The first tag of the run of `tags` that accept, up to the newest (refined with the
    patch releases just before it); None when the newest does not accept."""
    verdicts = [accepts(t) for t in tags]
    if not verdicts[-1]:
        return None
    start = len(tags) - 1
    while start > 0 and verdicts[start - 1]:
        start -= 1
    if start == 0:
        return tags[0]
    found = tags[start]
    for patch in reversed(checkout.patches_between(tags[start - 1], tags[start])):
        if not accepts(patch):
            break
        found = patch
    return found


# ---------------------------------------------------------------------------------------------
# The facts.


def used_nodes(projects: Iterable[Path], is_map: Callable[[str], bool]) -> dict[str, list[Any]]:
    """Normalised path -> the values found there over every bundle file of every project."""
    found: dict[str, list[Any]] = {}
    for project in projects:
        for file in bundle_files(project):
            for path, _, value in walk(yaml.safe_load(file.read_text()) or {}, is_map):
                found.setdefault(path, []).append(value)
    return found


def compute(checkout: Checkout, projects: list[Path]) -> dict[str, Any]:
    tags = checkout.checked_tags()
    newest_tag = tags[-1]
    newest = checkout.schema(newest_tag)
    assert newest is not None
    maps: set[str] = set()

    def is_map(path: str) -> bool:
        if is_map_node(newest.at(path)):
            maps.add(path)
            return True
        return False

    nodes = used_nodes(projects, is_map)
    paths = sorted(nodes)

    def accepted(path: str) -> Callable[[str], bool]:
        return lambda tag: bool((s := checkout.schema(tag)) and s.at(path))

    first = {p: first_version(checkout, tags, accepted(p)) for p in paths}

    values: dict[str, str | None] = {}
    for path in paths:
        enum = enum_of(newest.at(path))
        if enum is None:
            continue
        for value in sorted({v for v in nodes[path] if leaf_values(v)}, key=str):

            def takes(tag: str, path: str = path, value: Any = value) -> bool:
                schema = checkout.schema(tag)
                return bool(schema and schema.at(path) and accepts_value(schema.at(path), value))

            values[f"{path}={value}"] = first_version(checkout, tags, takes)

    behaviours = []
    for rule in BEHAVIOURS:

        def supported(tag: str, rule: dict[str, Any] = rule) -> bool:
            texts = [checkout.show(tag, f) for f in checkout.files(tag, rule["source_files"])]
            if "refused_while_present" in rule:
                return bool(texts) and all(rule["refused_while_present"] not in t for t in texts)
            return any(rule["supported_while_present"] in t for t in texts)

        behaviours.append(
            {
                **{k: rule[k] for k in ("id", "what", "when_all", "source")},
                "first_version": first_version(checkout, tags, supported),
            }
        )

    types: dict[str, str] = {}
    required: dict[str, list[str]] = {}
    for path in ["", *paths]:
        if not any(isinstance(v, dict) for v in nodes.get(path, [{}])):
            continue
        typed = [(n, s) for n, s in objects(newest.at(path)) if "properties" in s]
        if not typed:
            continue
        name, node = typed[0]
        name = name or path
        types[path] = name
        required[name] = sorted(node.get("required", []))

    commit = checkout.git("rev-parse", f"{newest_tag}^{{commit}}").strip()
    return {
        "about": "First Databricks CLI versions whose bundle JSON schema accepts each key path the "
        "template renders; required fields per type at the newest tag. Generated: do not edit.",
        "computed_from": {
            "repository": "https://github.com/databricks/cli",
            "tag": newest_tag,
            "commit": commit,
            "schema_file": SCHEMA_FILE,
            "tags_checked": f"{tags[0]} .. {newest_tag}: every x.y.0 and the newest, "
            "refined with the patch releases before each first version",
            "schema_file_since": tags[0],
        },
        "recompute": RECOMPUTE,
        "renders": len(projects),
        "paths": {p: first[p] for p in paths},
        "values": values,
        "behaviours": behaviours,
        "maps": sorted(maps),
        "types": types,
        "required": dict(sorted(required.items())),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--cli-checkout", type=Path, required=True, help="clone of databricks/cli, with tags")
    shown = DEFAULT_OUT.relative_to(REPO)
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"default: {shown}")
    options = parser.parse_args(argv)
    checkout = Checkout(options.cli_checkout)
    with tempfile.TemporaryDirectory() as tmp:
        rendered = render_covering_set(Path(tmp))
        facts = compute(checkout, [project for _, project in rendered])
    options.out.write_text(json.dumps(facts, indent=1) + "\n")
    unknown = [p for p, v in facts["paths"].items() if v is None]
    print(f"{len(facts['paths'])} key paths from {facts['renders']} renders -> {options.out}")
    if unknown:
        print(f"not accepted by the newest schema ({facts['computed_from']['tag']}): {', '.join(unknown)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
