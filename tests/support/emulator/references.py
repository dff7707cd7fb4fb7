"""`${...}` references: syntax, resolution rounds and the record of what did not resolve.

Follows databricks/cli v1.13.0 `libs/dyn/dynvar/ref.go` (syntax), `libs/dyn/dynvar/resolve.go`
(pure references substitute the value with its type, others interpolate primitives into the
string; cycles are errors) and `bundle/config/mutator/resolve_variable_references.go`
(`${var.x}` is short for `${variables.x.value}`; only the listed prefixes resolve, others are
left verbatim; at most 11 rounds). Where the CLI stops with an error on a reference that names
nothing, the emulator records a `Dangling` entry, leaves the text verbatim and goes on, so one
run lists every broken reference.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from tests.support.emulator.tree import (
    NoSuchKey,
    copy_tree,
    format_path,
    get_path,
    located,
    location_of,
    parse_path,
)

# ref.go BaseVarDef `\p{L}+([-_]*[\p{L}\p{N}]+)*`: [^\W\d_] is a Unicode letter, [^\W_] a letter
# or digit.
_BASE = r"[^\W\d_]+(?:[-_]*[^\W_]+)*"
REFERENCE = re.compile(rf"\$\{{({_BASE}(?:\.{_BASE}(?:\[[0-9]+\])*)*(?:\[[0-9]+\])*)\}}")

# resolve_variable_references.go maxResolutionRounds.
MAX_ROUNDS = 11


@dataclass(frozen=True)
class Dangling:
    """A reference that does not resolve: what it says, where it is used, and why not."""

    reference: str
    path: str
    location: str | None
    reason: str

    def __str__(self) -> str:
        where = f" ({self.location})" if self.location else ""
        return f"${{{self.reference}}} at {self.path}{where}: {self.reason}"


class Skip(Exception):
    """This reference is not resolved by this pass (dynvar.ErrSkipResolution)."""


class Unresolvable(Exception):
    """This reference names nothing; the message is the reason."""


def references_in(text: str) -> list[str]:
    return [m.group(1) for m in REFERENCE.finditer(text)]


def expand_var_shorthand(reference: str) -> str:
    """`var.x[.rest]` -> `variables.x.value[.rest]` (resolve_variable_references.go resolveOnce)."""
    parts = parse_path(reference)
    if len(parts) >= 2 and parts[0] == "var":
        return format_path(("variables", parts[1], "value", *parts[2:]))
    return reference


def go_sprint(value: Any) -> str:
    """Primitive values as Go's fmt.Sprint prints them when interpolated into a string."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<nil>"
    return str(value)


Lookup = Callable[[str], Any]
"""Returns the value at a full reference path (after the var shorthand is expanded), raises
`Skip` to leave the reference verbatim or `Unresolvable` when it names nothing."""


class ReferenceResolver:
    """Resolves references in chosen parts of a tree, round after round, recording dangling ones."""

    def __init__(self, lookup: Lookup, dangling: dict[tuple[str, str], Dangling]) -> None:
        self._lookup = lookup
        self._dangling = dangling

    def resolve(self, tree: dict[str, Any], scopes: Iterable[tuple[str | int, ...]] | None = None) -> bool:
        """Resolve every reference under `scopes` (every path when None) in place, in rounds,
        until nothing changes. Returns False when the round limit was hit (the CLI then warns
        "Variables references are too deep")."""
        return any(not self._round(tree, scopes) for _ in range(MAX_ROUNDS))

    def _round(self, tree: dict[str, Any], scopes: Iterable[tuple[str | int, ...]] | None) -> bool:
        cache: dict[str, Any] = {}
        changed = False
        targets = [()] if scopes is None else list(scopes)
        for scope in targets:
            try:
                node = get_path(tree, scope)
            except NoSuchKey:
                continue
            new, node_changed = self._resolve_node(node, scope, cache)
            if node_changed:
                changed = True
                if scope:
                    parent = get_path(tree, scope[:-1])
                    parent[scope[-1]] = new
                else:
                    tree.clear()
                    tree.update(new)
        return changed

    def _resolve_node(
        self, node: Any, path: tuple[str | int, ...], cache: dict[str, Any]
    ) -> tuple[Any, bool]:
        if isinstance(node, dict):
            changed = False
            for key in list(node):
                new, c = self._resolve_node(node[key], (*path, key), cache)
                if c:
                    node[key] = new
                    changed = True
            return node, changed
        if isinstance(node, list):
            changed = False
            for index, item in enumerate(node):
                new, c = self._resolve_node(item, (*path, index), cache)
                if c:
                    node[index] = new
                    changed = True
            return node, changed
        if isinstance(node, str) and REFERENCE.search(node):
            new = self._resolve_string(node, path, cache, [])
            return new, new != node or type(new) is not type(node)
        return node, False

    def _resolve_string(
        self, text: str, use_path: tuple[str | int, ...], cache: dict[str, Any], seen: list[str]
    ) -> Any:
        matches = list(REFERENCE.finditer(text))
        resolved: list[Any] = []
        complete = True
        for match in matches:
            value = self._resolve_key(match.group(1), text, use_path, cache, seen)
            if value is _SKIPPED:
                complete = False
            resolved.append(value)
        if len(matches) == 1 and matches[0].group(0) == text and complete:
            # A pure reference takes the value itself, typed (resolve.go resolveRef).
            value = resolved[0]
            return located(value, text) if isinstance(value, str) else copy_tree(value)
        out = text
        for match, value in zip(matches, resolved, strict=True):
            if value is _SKIPPED:
                continue
            if isinstance(value, (dict, list)):
                self._record(
                    match.group(1), use_path, text, "cannot interpolate a non-primitive value into a string"
                )
                continue
            out = out.replace(match.group(0), go_sprint(value), 1)
        return located(out, text)

    def _resolve_key(
        self,
        reference: str,
        text: str,
        use_path: tuple[str | int, ...],
        cache: dict[str, Any],
        seen: list[str],
    ) -> Any:
        full = expand_var_shorthand(reference)
        if full in seen:
            self._record(reference, use_path, text, "cycle: " + " -> ".join([*seen, full]))
            return _SKIPPED
        if full in cache:
            cached = cache[full]
            if isinstance(cached, Unresolvable):
                self._record(reference, use_path, text, str(cached))
                return _SKIPPED
            return cached
        try:
            value = self._lookup(full)
        except Skip:
            return _SKIPPED
        except Unresolvable as error:
            self._record(reference, use_path, text, str(error))
            cache[full] = error
            return _SKIPPED
        if isinstance(value, str) and REFERENCE.search(value):
            value = self._resolve_string(value, use_path, cache, [*seen, full])
        cache[full] = value
        return value

    def _record(self, reference: str, use_path: tuple[str | int, ...], text: str, reason: str) -> None:
        path = format_path(use_path)
        loc = location_of(text)
        self._dangling.setdefault(
            (reference, path), Dangling(reference, path, str(loc) if loc else None, reason)
        )


class _SkippedType:
    def __repr__(self) -> str:
        return "<skipped>"


_SKIPPED = _SkippedType()


def tree_lookup(
    root: dict[str, Any],
    prefixes: tuple[str, ...],
    empty_when_unset: Callable[[tuple[str | int, ...]], bool] = lambda parts: False,
) -> Lookup:
    """A lookup into `root` for references under `prefixes`; others are skipped.

    `empty_when_unset` tells which unset paths are typed fields: the CLI normalizes the tree
    with every missing typed field before resolving (convert.Normalize IncludeMissingFields in
    resolve_variable_references.go), so `${bundle.git.origin_url}` is "" when unset."""

    def lookup(full: str) -> Any:
        parts = parse_path(full)
        if not parts or parts[0] not in prefixes:
            raise Skip
        try:
            return get_path(root, parts)
        except NoSuchKey:
            if empty_when_unset(parts):
                return ""
            raise Unresolvable(_reason(root, parts)) from None

    return lookup


def _reason(root: dict[str, Any], parts: tuple[str | int, ...]) -> str:
    if parts[0] == "variables" and len(parts) >= 2:
        declared = root.get("variables") or {}
        if parts[1] not in declared:
            return f"unknown variable {parts[1]!r}"
        return f"variable {parts[1]!r} has no field {format_path(parts[2:])!r}"
    if parts[0] == "resources" and len(parts) >= 3:
        kinds = root.get("resources") or {}
        if parts[1] not in kinds or parts[2] not in (kinds.get(parts[1]) or {}):
            return f"unknown resource {parts[1]}.{parts[2]}"
        return f"resource {parts[1]}.{parts[2]} has no field {format_path(parts[3:])!r}"
    return f"no such key: {format_path(parts)}"
