"""One object per kind and name in a List: `kubectl get po,all -A -o json` prints every pod twice.

kubectl lists each resource it is given in turn (`po`, then the kinds `all` stands for, which
include pods again), so a List can hold the same object twice, or two versions of it a moment
apart. The warehouse keeps one row per object and snapshot, keyed by namespace and name (the
key every model joins on), so the reader keeps one object per (kind, namespace, name), whichever
the uid: a pod recreated under the same name between the two list calls is the same row. The
namespace is part of the key only for namespaced kinds (`kinds.KINDS` says which).

The later copy wins (the List stands for one moment, and the later list call saw the newer
state). Copies are compared on the fields fleetscope reads (`wire`): identical ones are only
counted; copies that differ are reported one by one, naming the first field that differs.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from fleetscope.collectors.kubernetes.kinds import BY_KIND

Key = tuple[str, str | None, str]  # (kind, namespace or None, name)


def object_key(kind: str, name: Any, namespace: Any) -> Key | None:
    """(kind, namespace, name) of an object; None when they are unusable (the row builder then
    refuses the object with a message naming the field)."""
    if not isinstance(name, str):
        return None
    if not BY_KIND[kind].namespaced:
        return kind, None, name
    return (kind, namespace, name) if isinstance(namespace, str) else None


@dataclass
class Duplicates:
    """Drops every copy but the last of each key, comparing each dropped copy with the kept one.

    `plan` is given every (index, key) first (the keys are cheap to read), so that objects can
    then be decoded and added one at a time: only the copies to drop are held until their
    replacement arrives, not the whole List.
    """

    origin: str
    identical: int = 0
    differing: list[str] = field(default_factory=list)
    _replaced_by: dict[int, int] = field(default_factory=dict)
    _held: dict[int, list[tuple[int, Any]]] = field(default_factory=dict)
    involved: frozenset[int] = frozenset()  # the indices `keep` must see: copies, replacements

    def plan(self, keys: Iterable[tuple[int, Key | None]]) -> None:
        """Learn every object's key (in List order) before any object is kept."""
        keyed = [(index, key) for index, key in keys if key is not None]
        last = {key: index for index, key in keyed}  # later items overwrite earlier ones
        self._replaced_by = {index: last[key] for index, key in keyed if last[key] != index}
        self.involved = frozenset(self._replaced_by) | frozenset(self._replaced_by.values())

    def keep(self, index: int, label: str, item: Any) -> bool:
        """False for a copy a later one replaces (held to compare); True for a kept object,
        after comparing it with the copies it replaces."""
        later = self._replaced_by.get(index)
        if later is not None:
            self._held.setdefault(later, []).append((index, item))
            return False
        for earlier, copy in self._held.pop(index, ()):
            if copy == item:
                self.identical += 1
            else:
                self.differing.append(
                    f"{self.origin}: items[{index}]: {label} is also items[{earlier}], with a "
                    f"different {first_difference(copy, item)}: items[{index}] (the later) is "
                    "kept"
                )
        return True

    @property
    def count(self) -> int:
        return self.identical + len(self.differing)

    def summary(self) -> str:
        """`3 duplicate object(s) dropped (2 identical, 1 differing: the later kept)`, or ''."""
        if not self.count:
            return ""
        return (
            f"{self.count} duplicate object(s) dropped ({self.identical} identical, "
            f"{len(self.differing)} differing: the later kept)"
        )


def first_difference(old: Any, new: Any, path: str = "") -> str:
    """The path of the first field whose value differs (`status.phase`, `metadata.uid`)."""
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(old.keys() | new.keys(), key=str):
            if old.get(key) != new.get(key):
                return first_difference(
                    old.get(key), new.get(key), f"{path}.{key}" if path else str(key)
                )
    if isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            if a != b:
                return first_difference(a, b, f"{path}[{i}]")
    return path or "content"
