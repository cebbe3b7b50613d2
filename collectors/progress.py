"""How a collector reports progress: a callback the loader (fleetscope.ops.ingest) gives it.

Collectors never print; a line passed to `progress` goes where the loader sends it (standard
error, silenced by `-q`), and library callers that pass nothing get `quiet`.
"""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str], None]


def quiet(message: str) -> None:
    """Progress that goes nowhere (library use without a callback)."""


__all__ = ["Progress", "quiet"]
