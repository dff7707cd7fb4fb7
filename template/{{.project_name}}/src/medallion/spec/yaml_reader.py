"""Read medallion.yml strictly: UTF-8 only, no duplicate keys, bounded nesting and size.

PyYAML on its own keeps the last of two equal keys without a word (a second `orders:` source
silently replaces the first), raises a traceback on text that is not UTF-8 or nested a few
hundred levels deep, and expands aliases without limit. This reader composes the YAML node
tree first, checks it with the key path and line of every problem, and only then builds the
Python values. Every problem is a SpecProblem; nothing else escapes.
"""

from __future__ import annotations

import codecs
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from medallion.spec.errors import SpecError, SpecProblem

MAX_BYTES = 2_000_000  # a spec is a few kilobytes; this is a runaway file, not a spec
MAX_DEPTH = 32  # the deepest real key (gold.facts.<f>.measures.<m>.expr) is 6 levels down
READ_DEPTH = 200
"""Deeper text is refused before it is composed: PyYAML composes recursively, and a
RecursionError deep in the stack can also break whatever else runs there (a finalizer)."""
MAX_VALUES = 200_000  # values after alias expansion (stops "billion laughs" documents)

_STR = "tag:yaml.org,2002:str"
_MERGE = "tag:yaml.org,2002:merge"
_BOMS = (
    (codecs.BOM_UTF32_LE, "UTF-32"),
    (codecs.BOM_UTF32_BE, "UTF-32"),
    (codecs.BOM_UTF16_LE, "UTF-16"),
    (codecs.BOM_UTF16_BE, "UTF-16"),
)


_OPENS = (
    yaml.BlockMappingStartToken,
    yaml.BlockSequenceStartToken,
    yaml.FlowMappingStartToken,
    yaml.FlowSequenceStartToken,
)
_CLOSES = (yaml.BlockEndToken, yaml.FlowMappingEndToken, yaml.FlowSequenceEndToken)


def _deeper_than(text: str, limit: int) -> bool:
    """Whether collections nest more than `limit` deep, by PyYAML's scanner (no recursion)."""
    depth = 0
    try:
        for token in yaml.scan(text, Loader=yaml.SafeLoader):
            depth += isinstance(token, _OPENS) - isinstance(token, _CLOSES)
            if depth > limit:
                return True
    except yaml.YAMLError:
        return False  # composing reports it with its line
    return False


def read_document(path: Path) -> Any:
    """The YAML document in `path` as Python values; SpecError for anything unreadable."""
    text = _decode(path, _read_bytes(path))
    try:
        loader = yaml.SafeLoader(text)
    except yaml.reader.ReaderError as error:  # a control character such as NUL
        line = text.count("\n", 0, max(error.position, 0)) + 1
        code = error.character if isinstance(error.character, int) else ord(error.character)
        raise _error(
            path, "", f"the control character U+{code:04X} at line {line} is not allowed in YAML; remove it"
        ) from None
    try:
        try:
            if _deeper_than(text, READ_DEPTH):
                raise RecursionError
            node = loader.get_single_node()
        except RecursionError:
            raise _error(
                path,
                "",
                f"nested too deeply to read (more than {MAX_DEPTH} levels); "
                "a spec needs only a few: check for runaway brackets or indentation",
            ) from None
        except yaml.YAMLError as error:
            raise _error(path, "", _yaml_message(error)) from None
        if node is None:
            return None
        checker = _Checker(loader)
        checker.walk(node, (), 0)
        if checker.problems:
            raise SpecError(path, checker.problems)
        try:
            return loader.construct_document(node)
        except yaml.YAMLError as error:
            raise _error(path, "", _yaml_message(error)) from None
        except (ValueError, TypeError, AttributeError, OverflowError) as error:  # pragma: no cover
            raise _error(path, "", f"a value YAML cannot read: {error}") from None
    finally:
        loader.dispose()


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise _error(path, "", f"the file is {size} bytes; a spec is far smaller (limit {MAX_BYTES})")
        return path.read_bytes()
    except OSError as error:
        raise _error(path, "", f"cannot read the file: {error.strerror or error}") from None


def _decode(path: Path, data: bytes) -> str:
    for bom, name in _BOMS:
        if data.startswith(bom):
            raise _error(path, "", f"the file is {name} text; save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        column = error.start - (data.rfind(b"\n", 0, error.start) + 1) + 1
        raise _error(
            path,
            _undecodable_key(data),
            f"not UTF-8 text: byte 0x{data[error.start]:02x} at line {line}, column {column}; "
            "save the file as UTF-8 (for example `iconv -f latin1 -t utf-8`)",
        ) from None


def _undecodable_key(data: bytes) -> str:
    """The key path of the first value holding an undecodable byte ('' when it cannot be told)."""
    try:
        loader = yaml.SafeLoader(data.decode("utf-8", errors="replace"))
    except yaml.YAMLError:
        return ""
    try:
        node = loader.get_single_node()
    except (yaml.YAMLError, RecursionError):
        return ""
    finally:
        loader.dispose()
    stack: list[tuple[Node, tuple[Any, ...]]] = [(node, ())] if node is not None else []
    while stack:
        current, parts = stack.pop(0)
        if len(parts) > MAX_DEPTH:
            return ""
        if isinstance(current, ScalarNode) and "\ufffd" in current.value:
            return render_path(parts)
        if isinstance(current, SequenceNode):
            stack += [(item, (*parts, i)) for i, item in enumerate(current.value)]
        elif isinstance(current, MappingNode):
            for key, value in current.value:
                name = key.value if isinstance(key, ScalarNode) else "?"
                if "\ufffd" in str(name):
                    return render_path((*parts, name.replace("\ufffd", "?")))
                stack.append((value, (*parts, name)))
    return ""


def _yaml_message(error: yaml.YAMLError) -> str:
    mark = getattr(error, "problem_mark", None)
    where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown position"
    reason = getattr(error, "problem", None) or str(error).splitlines()[0]
    return f"not valid YAML at {where}: {reason}"


def _error(path: Path, key: str, message: str) -> SpecError:
    return SpecError(path, [SpecProblem(key, message)])


def render_path(parts: tuple[Any, ...]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


class _Checker:
    """Walks the composed node tree: duplicate and non-text keys, depth, size, bad scalars."""

    def __init__(self, loader: yaml.SafeLoader) -> None:
        self.loader = loader
        self.problems: list[SpecProblem] = []
        self.values = 0
        self.stopped = False

    def problem(self, parts: tuple[Any, ...], message: str) -> None:
        self.problems.append(SpecProblem(render_path(parts), message))

    def walk(self, node: Node, parts: tuple[Any, ...], depth: int) -> None:
        if self.stopped:
            return
        self.values += 1
        line = node.start_mark.line + 1
        if self.values > MAX_VALUES:
            self.stopped = True
            self.problem(
                parts,
                f"more than {MAX_VALUES} values once aliases (*name) are expanded (line {line}); "
                "a spec needs far fewer: remove the repeated aliases",
            )
            return
        if depth > MAX_DEPTH:
            self.stopped = True
            self.problem(
                parts,
                f"nested more than {MAX_DEPTH} levels deep at line {line}; "
                "a spec needs only a few: check for runaway brackets, indentation or a recursive alias",
            )
            return
        if isinstance(node, MappingNode):
            self.mapping(node, parts, depth)
        elif isinstance(node, SequenceNode):
            for index, item in enumerate(node.value):
                self.walk(item, (*parts, index), depth + 1)
        elif isinstance(node, ScalarNode) and node.tag != _STR:
            self.scalar(node, parts)

    def mapping(self, node: MappingNode, parts: tuple[Any, ...], depth: int) -> None:
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            line = key_node.start_mark.line + 1
            if key_node.tag == _MERGE:
                self.walk(value_node, parts, depth + 1)
                continue
            if not isinstance(key_node, ScalarNode):
                self.problem(parts, f"the key at line {line} is a list or mapping; keys are names")
                continue
            key = key_node.value
            if key_node.tag != _STR:
                self.problem(
                    (*parts, key),
                    f"the key {key!r} at line {line} is read by YAML as a "
                    f"{key_node.tag.rsplit(':', 1)[-1]}, not a name; quote it: '{key}'",
                )
                continue
            if key in first_line:
                self.problem(
                    (*parts, key),
                    f"duplicate key {key!r} at line {line} (first at line {first_line[key]}); "
                    "YAML would silently keep only the last one: remove or rename one of them",
                )
                continue
            first_line[key] = line
            self.walk(value_node, (*parts, key), depth + 1)

    def scalar(self, node: ScalarNode, parts: tuple[Any, ...]) -> None:
        """Values with an implicit or explicit non-text tag (dates, numbers) that do not build."""
        try:
            self.loader.construct_object(node, deep=True)
        except yaml.constructor.ConstructorError as error:
            self.problem(
                parts,
                f"the YAML tag {node.tag!r} at line {node.start_mark.line + 1} is not allowed in a "
                f"spec ({error.problem}); remove the tag",
            )
        except (yaml.YAMLError, ValueError, TypeError, AttributeError, OverflowError) as error:
            reason = getattr(error, "problem", None) or str(error).splitlines()[0]
            self.problem(
                parts,
                f"{node.value!r} at line {node.start_mark.line + 1} cannot be read as "
                f"{node.tag.rsplit(':', 1)[-1]} ({reason}); quote it to keep it as text or correct it",
            )
