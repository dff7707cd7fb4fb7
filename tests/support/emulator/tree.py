"""Configuration trees as the CLI holds them: YAML with a source location on every string,
merged and addressed the way `libs/dyn` does (databricks/cli v1.13.0).

Strings are `Located` (a `str` that remembers file and line), so relative paths can be
resolved against the file that defined them and dangling references can say where they are.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml


@dataclass(frozen=True)
class Location:
    """Where a value was written: file and 1-based line."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


class Located(str):
    """A string that carries the location of the YAML scalar it came from (None if synthesized)."""

    loc: Location | None = None

    def __new__(cls, value: str, loc: Location | None = None) -> Located:
        self = super().__new__(cls, value)
        self.loc = loc
        return self


def located(value: str, like: Any) -> str:
    """`value` with the location of `like` (the CLI keeps the location of the value being
    rewritten: libs/dyn/dynvar/resolve.go resolveRef, NewValue(..., ref.Value.Locations()))."""
    loc = getattr(like, "loc", None)
    return Located(value, loc) if loc is not None else value


def location_of(value: Any) -> Location | None:
    return getattr(value, "loc", None)


class _Loader(yaml.SafeLoader):
    """YAML 1.2 core-schema scalars like the CLI's loader (libs/dyn/yamlloader/loader.go, which
    uses gopkg.in/yaml.v3): only true/false are booleans; `yes`, `no`, `on`, `off` stay strings."""


_Loader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers if tag != "tag:yaml.org,2002:bool"]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool",
    re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"),
    list("tTfF"),
)


def _construct_str(loader: _Loader, node: yaml.ScalarNode) -> Located:
    value = loader.construct_scalar(node)
    return Located(value, Location(loader.name, node.start_mark.line + 1))


_Loader.add_constructor("tag:yaml.org,2002:str", _construct_str)


def load_yaml(path: Path) -> Any:
    """Parse one configuration file; every string knows its file and line."""
    loader = _Loader(path.read_text())
    loader.name = str(path)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


class MergeError(ValueError):
    """Two values of different kinds met in a merge (libs/dyn/merge/merge.go)."""


def merge(a: Any, b: Any) -> Any:
    """Merge `b` into `a` as libs/dyn/merge/merge.go does: nil yields the other side, maps merge
    key by key with `b` winning, sequences concatenate, primitives take `b`."""
    if a is None:
        return b
    if b is None:
        return a
    if isinstance(a, dict):
        if not isinstance(b, dict):
            raise MergeError(f"cannot merge map with {type(b).__name__}")
        out = dict(a)
        for key, value in b.items():
            out[key] = merge(out[key], value) if key in out else value
        return out
    if isinstance(a, list):
        if not isinstance(b, list):
            raise MergeError(f"cannot merge sequence with {type(b).__name__}")
        return [*a, *b]
    if isinstance(b, (dict, list)):
        raise MergeError(f"cannot merge {type(a).__name__} with {type(b).__name__}")
    return b


def copy_tree(value: Any) -> Any:
    """A structural copy that keeps `Located` strings (and their locations) as they are."""
    if isinstance(value, dict):
        return {k: copy_tree(v) for k, v in value.items()}
    if isinstance(value, list):
        return [copy_tree(v) for v in value]
    return value


def plain(value: Any) -> Any:
    """The tree with plain `str` values: what `bundle validate -o json` prints."""
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


_SEGMENT = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


def parse_path(path: str) -> tuple[str | int, ...]:
    """`resources.jobs.j.tasks[0].task_key` -> ("resources", "jobs", "j", "tasks", 0, "task_key")."""
    parts: list[str | int] = []
    for name, index in _SEGMENT.findall(path):
        parts.append(int(index) if index else name)
    return tuple(parts)


def format_path(parts: tuple[str | int, ...]) -> str:
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + part
    return out


class NoSuchKey(LookupError):
    """A path that names nothing in the tree."""


def get_path(tree: Any, parts: tuple[str | int, ...]) -> Any:
    node = tree
    for part in parts:
        if isinstance(part, int):
            if not isinstance(node, list) or part >= len(node):
                raise NoSuchKey(format_path(parts))
            node = node[part]
        else:
            if not isinstance(node, dict) or part not in node:
                raise NoSuchKey(format_path(parts))
            node = node[part]
    return node


def walk_strings(
    tree: Any, prefix: tuple[str | int, ...] = ()
) -> Iterator[tuple[tuple[str | int, ...], str]]:
    """Every string leaf with its path."""
    if isinstance(tree, dict):
        for key, value in tree.items():
            yield from walk_strings(value, (*prefix, key))
    elif isinstance(tree, list):
        for index, value in enumerate(tree):
            yield from walk_strings(value, (*prefix, index))
    elif isinstance(tree, str):
        yield prefix, tree
