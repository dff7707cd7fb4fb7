"""The helper package's import graph, read from the source (no import is executed).

Edges are the imports that run when a module is imported: module-level `import`/`from`
statements (not those inside functions), plus the `__init__` of each package Python imports on
the way to the target, unless that package is the importer's own (already being imported).
`TYPE_CHECKING` blocks are skipped: they never run. With `lazy=True` the imports inside
functions count too (the commands' and `medallion.spec.__getattr__`'s, PEP 562): what a module
may load at all, which is what an installed wheel must carry.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

PACKAGE = "medallion"


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules(root: Path) -> dict[str, Path]:
    """Every module of the package under `root` (the folder holding `medallion/`)."""
    return {module_name(root, p): p for p in sorted((root / PACKAGE).rglob("*.py"))}


def _parents(name: str) -> list[str]:
    parts = name.split(".")
    return [".".join(parts[:i]) for i in range(1, len(parts))]


def _resolve(name: str, known: dict[str, Path]) -> str | None:
    """The known module that `import name` loads last (a name inside a module maps to it)."""
    while name and name not in known:
        name = name.rpartition(".")[0]
    return name or None


def _module_level(tree: ast.Module) -> Iterator[ast.stmt]:
    """Statements that run at import: the top level, and inside if/try at the top level."""
    stack = list(tree.body)
    while stack:
        node = stack.pop(0)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
            continue
        if isinstance(node, ast.If | ast.Try):
            stack.extend(node.body + getattr(node, "orelse", []) + getattr(node, "finalbody", []))
            for handler in getattr(node, "handlers", []):
                stack.extend(handler.body)
            continue
        yield node


def _anywhere(tree: ast.Module) -> Iterator[ast.stmt]:
    """Every import statement, in functions too, except in `TYPE_CHECKING` blocks."""
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop(0)
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            stack.extend(node.orelse)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        else:
            stack.extend(ast.iter_child_nodes(node))


def imports_of(name: str, path: Path, known: dict[str, Path], lazy: bool = False) -> set[str]:
    """Modules of the package that importing `name` imports directly (`lazy`: or may import
    later, from inside a function)."""
    found: set[str] = set()
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    own = set(_parents(name))  # packages already being imported when this module runs
    tree = ast.parse(path.read_text())
    for node in _anywhere(tree) if lazy else _module_level(tree):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            # a submodule (`from pkg import mod`) or a name defined in the module `base`
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
        for target in targets:
            if target.split(".")[0] != PACKAGE:
                continue
            resolved = _resolve(target, known)
            if resolved:
                found.add(resolved)
                found.update(p for p in _parents(resolved) if p in known and p not in own)
    found.discard(name)
    return found


def graph(root: Path, lazy: bool = False) -> dict[str, set[str]]:
    known = modules(root)
    return {name: imports_of(name, path, known, lazy) for name, path in known.items()}


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Every elementary cycle's smallest rotation, found by depth-first search (small graphs)."""
    found: set[tuple[str, ...]] = set()

    def visit(start: str, node: str, path: list[str]) -> None:
        for nxt in sorted(edges.get(node, ())):
            if nxt == start:
                cycle = path[:]
                pivot = cycle.index(min(cycle))
                found.add(tuple(cycle[pivot:] + cycle[:pivot]))
            elif nxt not in path and nxt > start:
                visit(start, nxt, [*path, nxt])

    for start in sorted(edges):
        visit(start, start, [start])
    return [list(c) for c in sorted(found)]


def closure(edges: dict[str, set[str]], roots: set[str]) -> set[str]:
    """Every module importing `roots` loads."""
    seen, todo = set(), list(roots)
    while todo:
        node = todo.pop()
        if node not in seen:
            seen.add(node)
            todo.extend(edges.get(node, ()))
    return seen
