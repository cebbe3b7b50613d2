"""Strict checks of one DiRT exercise, on the YAML nodes so every error names its line.

A value is checked where it was written: `Error: <file>:<line>: exercises[2].outcome: ...`
points at the line of the bad value (or of the exercise, for a missing key).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from fleetscope.errors import InputError

SCENARIOS = (
    "cluster-deletion",
    "control-plane-down",
    "zone-outage",
    "node-pool-loss",
    "backup-restore",
    "dns-outage",
    "other",
)
OUTCOMES = ("pass", "partial", "fail")
FOLLOW_UP_STATUSES = ("open", "done")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class Where:
    """A file and a field path (`exercises[0].follow_ups[1]`) that errors are named by."""

    path: str
    field: str

    def child(self, name: str | int) -> Where:
        part = f"[{name}]" if isinstance(name, int) else f".{name}"
        return Where(self.path, self.field + part)

    def error(self, node: Node, message: str) -> InputError:
        return InputError(f"{self.path}:{node.start_mark.line + 1}: {self.field}: {message}")


def mapping(
    node: Node, where: Where, *, required: tuple[str, ...], optional: tuple[str, ...]
) -> dict[str, Node]:
    """The value nodes of a mapping by key; an unknown or a missing key is an error."""
    if not isinstance(node, MappingNode):
        raise where.error(node, "expected a mapping")
    found: dict[str, Node] = {}
    for key_node, value_node in node.value:
        key = key_node.value if isinstance(key_node, ScalarNode) else None
        if key not in required and key not in optional:
            allowed = ", ".join(required + optional)
            raise where.child(str(key)).error(key_node, f"unknown key (allowed: {allowed})")
        if key in found:  # YAML 1.2 refuses it; PyYAML would silently keep the last value
            raise where.child(key).error(key_node, "key written twice")
        found[key] = value_node
    for key in required:
        if key not in found:
            raise where.child(key).error(node, "required key is missing")
    return found


def sequence(node: Node, where: Where) -> list[Node]:
    if not isinstance(node, SequenceNode):
        raise where.error(node, "expected a list")
    return list(node.value)


def text(node: Node, where: Where, value: Any) -> str:
    """A non-empty string (a number written bare is not a name)."""
    if not isinstance(node, ScalarNode) or not isinstance(value, str) or not value.strip():
        raise where.error(node, f"expected a non-empty string, got {value!r}")
    return value.strip()


def one_of(node: Node, where: Where, value: Any, allowed: tuple[str, ...]) -> str:
    chosen = text(node, where, value)
    if chosen not in allowed:
        raise where.error(node, f"{chosen!r} is not one of {', '.join(allowed)}")
    return chosen


def day(node: Node, where: Where, value: Any) -> date:
    """A calendar date written YYYY-MM-DD (YAML 1.2 keeps it a string)."""
    written = value if isinstance(value, str) else str(value)
    try:
        if not _DATE.fullmatch(written):
            raise ValueError
        return date.fromisoformat(written)
    except ValueError:
        raise where.error(node, f"{written!r} is not a date (YYYY-MM-DD)") from None


def minutes(node: Node, where: Where, value: Any) -> float | None:
    """Minutes to recover: a non-negative number, or null (never recovered during the test)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or value != value:
        raise where.error(node, f"expected a number of minutes, got {value!r}")
    if value < 0:
        raise where.error(node, f"{value} must not be negative")
    return float(value)


def url(node: Node, where: Where, value: Any) -> str | None:
    if value is None:
        return None
    link = text(node, where, value)
    if not re.match(r"https?://\S+$", link):
        raise where.error(node, f"{link!r} is not an http(s) URL")
    return link


__all__ = [
    "FOLLOW_UP_STATUSES",
    "OUTCOMES",
    "SCENARIOS",
    "Where",
    "day",
    "mapping",
    "minutes",
    "one_of",
    "sequence",
    "text",
    "url",
]
