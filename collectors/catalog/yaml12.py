"""Catalog YAML as Backstage reads it: the YAML 1.2 core schema, on libyaml's C parser.

Backstage parses descriptor files with eemeli/yaml (version 1.2, core schema), so `no`, `yes`,
`on` and `2024-01-01` are strings, `<<` is an ordinary key, `012` is twelve, and a key written
twice is an error. PyYAML's default resolvers are YAML 1.1 (`no` → False), hence our own
resolver table. The C parser (`CParser`) is what makes a 50 MB catalog fast; only the
construction of Python objects stays in Python.

Numbers keep the text they were written with (`SourceInt`, `SourceFloat`) so that a field that
Backstage wants as a string can be read as the author wrote it (`1.10`, not `1.1`).

Aliases are checked before construction: a document whose aliases expand to more than
`MAX_ALIAS_EXPANSION` nodes (a "billion laughs" document) is refused, as eemeli/yaml refuses
documents over its `maxAliasCount`; the shared structure is never expanded in memory.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor
from yaml.cyaml import CParser
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.resolver import BaseResolver

from fleetscope.errors import InputError

MAX_ALIAS_EXPANSION = 100_000  # nodes that aliases may add to one document

_CORE_RESOLVERS = [  # YAML 1.2.2 §10.3.2, the regular expressions of the core schema
    ("tag:yaml.org,2002:null", r"^(?:~|null|Null|NULL|)$", ["~", "n", "N", ""]),
    ("tag:yaml.org,2002:bool", r"^(?:true|True|TRUE|false|False|FALSE)$", list("tTfF")),
    ("tag:yaml.org,2002:int", r"^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$", list("-+0123456789")),
    (
        "tag:yaml.org,2002:float",
        r"^(?:[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?"
        r"|[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$",
        list("-+.0123456789"),
    ),
]


class SourceInt(int):
    """An integer that remembers how it was written (`0o17`, `007`)."""

    text: str


class SourceFloat(float):
    """A float that remembers how it was written (`1.10`, `.inf`)."""

    text: str


def scalar_text(value: Any) -> str:
    """A scalar as its author wrote it: numbers keep their source text, booleans are lower case."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return getattr(value, "text", None) or str(value)


class _CoreResolver(BaseResolver):
    pass


for _tag, _pattern, _first in _CORE_RESOLVERS:
    _CoreResolver.add_implicit_resolver(_tag, re.compile(_pattern), _first)


class _CoreConstructor(SafeConstructor):
    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        # eemeli/yaml's `uniqueKeys`: Backstage refuses a file with a key written twice, where
        # PyYAML would silently keep the last value.
        seen: set[str] = set()
        for key_node, _ in node.value:
            if isinstance(key_node, ScalarNode):
                if key_node.value in seen:
                    raise ConstructorError(
                        None, None, f"duplicate key '{key_node.value}'", key_node.start_mark
                    )
                seen.add(key_node.value)
        return super().construct_mapping(node, deep=deep)

    def construct_core_int(self, node: ScalarNode) -> SourceInt:
        text = node.value
        base = 8 if text.startswith("0o") else 16 if text.startswith("0x") else 10
        value = SourceInt(int(text[2:] if base != 10 else text, base))
        value.text = text
        return value

    def construct_core_float(self, node: ScalarNode) -> SourceFloat:
        text = node.value
        lowered = text.lower().replace(".inf", "inf").replace(".nan", "nan")
        value = SourceFloat(float(lowered))
        value.text = text
        return value

    def construct_core_bool(self, node: ScalarNode) -> bool:
        if node.value.lower() not in ("true", "false"):
            raise ConstructorError(
                None, None, f"not a YAML 1.2 boolean: {node.value!r}", node.start_mark
            )
        return node.value.lower() == "true"

    def construct_unknown(self, node: Node) -> Any:
        # eemeli/yaml keeps a value with an unknown tag (CloudFormation's `!Ref`, ...) and warns;
        # such files are not entities, so they must not stop the whole catalog.
        if isinstance(node, MappingNode):
            return self.construct_mapping(node)
        if isinstance(node, SequenceNode):
            return self.construct_sequence(node)
        return self.construct_scalar(node)


_CoreConstructor.add_constructor("tag:yaml.org,2002:int", _CoreConstructor.construct_core_int)
_CoreConstructor.add_constructor("tag:yaml.org,2002:float", _CoreConstructor.construct_core_float)
_CoreConstructor.add_constructor("tag:yaml.org,2002:bool", _CoreConstructor.construct_core_bool)
_CoreConstructor.add_constructor(None, _CoreConstructor.construct_unknown)


class CoreLoader(CParser, _CoreConstructor, _CoreResolver):
    """libyaml's parser and composer with the YAML 1.2 core schema."""

    def __init__(self, stream: str | bytes) -> None:
        CParser.__init__(self, stream)
        _CoreConstructor.__init__(self)
        _CoreResolver.__init__(self)


def alias_expansion(root: Node) -> int:
    """How many nodes aliases add to a document once expanded (0 without aliases).

    Sizes are memoized per node, so the count costs one pass over the distinct nodes however
    large the expansion; a node that contains itself counts as unbounded.
    """
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()  # counting started, children not done yet
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            sizes[key] = 1 + sum(sizes[id(child)] for child in _children(node))
            open_nodes.discard(key)
        elif key in open_nodes:  # only a descendant can push an open node again: a cycle
            return MAX_ALIAS_EXPANSION + 1
        elif key not in sizes:
            open_nodes.add(key)
            stack.append((node, True))
            stack.extend((child, False) for child in _children(node))
    return sizes[id(root)] - len(sizes)


def _children(node: Node) -> list[Node]:
    if isinstance(node, SequenceNode):
        return list(node.value)
    if isinstance(node, MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def load_documents(path: Path) -> Iterator[tuple[Any, int, int]]:
    """(document, first line, 1-based index) for each YAML document of a file.

    Errors name the file and line: invalid YAML, a key written twice, aliases expanding past
    the limit.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: cannot read: {exc}") from None
    may_alias = "&" in text and "*" in text  # an alias needs an anchor: skip the count otherwise
    loader = CoreLoader(text)
    index = 0
    try:
        while loader.check_node():
            node = loader.get_node()
            index += 1
            line = node.start_mark.line + 1
            if may_alias and alias_expansion(node) > MAX_ALIAS_EXPANSION:
                raise InputError(
                    f"{path}:{line}: document {index}: YAML aliases expand to more "
                    f"than {MAX_ALIAS_EXPANSION:,} nodes (a 'billion laughs' "
                    "document?); refused"
                )
            yield loader.construct_document(node), line, index
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f":{mark.line + 1}" if mark is not None else ""
        raise InputError(f"{path}{where}: invalid YAML: {exc.problem or exc}") from None
    except (yaml.YAMLError, ValueError) as exc:
        raise InputError(f"{path}: invalid YAML: {exc}") from None
    finally:
        loader.dispose()
