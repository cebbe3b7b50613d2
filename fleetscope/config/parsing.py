"""Building sections from parsed TOML (strict, naming the bad key) and describing them."""

from __future__ import annotations

import dataclasses
import types
import typing
from typing import Any, TypeGuard

from fleetscope.errors import ConfigError


def build(cls: type, raw: Any, *, prefix: str, source: str) -> Any:
    if not isinstance(raw, dict):
        raise ConfigError(f"{source}: {prefix.rstrip('.') or 'top level'}: expected a table")
    hints = typing.get_type_hints(cls)
    names = {f.name for f in dataclasses.fields(cls)}
    for key in raw:
        if key not in names:
            known = ", ".join(sorted(names))
            raise ConfigError(f"{source}: unknown key '{prefix}{key}' (known: {known})")
    values = {}
    for f in dataclasses.fields(cls):
        if f.name not in raw:
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                raise ConfigError(f"{source}: missing required key '{prefix}{f.name}'")
            continue
        values[f.name] = _coerce(hints[f.name], raw[f.name], key=f"{prefix}{f.name}",
                                 source=source)
    return cls(**values)


def _is_section(hint: Any) -> TypeGuard[type]:
    """A dataclass type: a TOML table with its own keys."""
    return isinstance(hint, type) and dataclasses.is_dataclass(hint)


def _coerce(hint: Any, value: Any, *, key: str, source: str) -> Any:
    origin = typing.get_origin(hint)
    args = typing.get_args(hint)
    if origin in (types.UnionType, typing.Union):
        inner = [a for a in args if a is not type(None)]
        return _coerce(inner[0], value, key=key, source=source)
    if _is_section(hint):
        return build(hint, value, prefix=f"{key}.", source=source)
    if origin is list:
        if not isinstance(value, list):
            raise ConfigError(f"{source}: {key}: expected a list, got {value!r}")
        return [_coerce(args[0], v, key=f"{key}[{i}]", source=source)
                for i, v in enumerate(value)]
    if origin is dict:
        if not isinstance(value, dict):
            raise ConfigError(f"{source}: {key}: expected a table, got {value!r}")
        return {k: _coerce(args[1], v, key=f"{key}.{k}", source=source) for k, v in value.items()}
    if hint is float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ConfigError(f"{source}: {key}: expected a number, got {value!r}")
        return float(value)
    if hint is int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ConfigError(f"{source}: {key}: expected an integer, got {value!r}")
        return value
    if hint is bool:
        if not isinstance(value, bool):
            raise ConfigError(f"{source}: {key}: expected true or false, got {value!r}")
        return value
    if hint is str:
        if not isinstance(value, str):
            raise ConfigError(f"{source}: {key}: expected a string, got {value!r}")
        return value
    raise ConfigError(f"{source}: {key}: unsupported type {hint!r}")  # pragma: no cover


def describe(cls: type, prefix: str = "") -> list[tuple[str, str, str, str]]:
    """(key, type, default, doc) for every key, for the generated configuration reference."""
    rows: list[tuple[str, str, str, str]] = []
    hints = typing.get_type_hints(cls)
    for f in dataclasses.fields(cls):
        hint = hints[f.name]
        key = f"{prefix}{f.name}"
        doc = f.metadata.get("doc", "")
        inner = hint
        if typing.get_origin(hint) in (list, dict):
            inner = typing.get_args(hint)[-1]
        if _is_section(hint):
            rows.append((f"[{key}]", "table", "", doc))
            rows.extend(describe(hint, f"{key}."))
            continue
        type_name = getattr(hint, "__name__", None) or str(hint).replace("typing.", "")
        if f.default is not dataclasses.MISSING:
            default = repr(f.default)
        elif f.default_factory is not dataclasses.MISSING:
            default = repr(f.default_factory())
        else:
            default = "(required)"
        rows.append((key, type_name, default, doc))
        if _is_section(inner):
            sub = "[*]" if typing.get_origin(hint) is list else ".<name>"
            rows.extend(describe(inner, f"{key}{sub}."))
    return rows
