"""The documented dataclass field every configuration section is made of."""

from __future__ import annotations

import dataclasses
from dataclasses import field
from typing import Any


def doc_field(text: str, default: Any = dataclasses.MISSING, **kwargs: Any) -> Any:
    """A dataclass field with documentation attached (mutable defaults via default_factory)."""
    if isinstance(default, list | dict):
        value = default
        return field(default_factory=lambda: type(value)(value), metadata={"doc": text}, **kwargs)
    return field(default=default, metadata={"doc": text}, **kwargs)

