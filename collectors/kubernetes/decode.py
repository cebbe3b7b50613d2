"""Decoding with the slim wire types: live list pages of one kind, offline Lists of many.

Decoded items come back as plain dicts with the API's own keys (`msgspec.to_builtins`), so the
row handlers read live pages and offline Lists alike.
"""

from __future__ import annotations

from collections.abc import Iterator
from functools import cache
from typing import Any

import msgspec

from fleetscope.collectors.kubernetes.kinds import BY_KIND
from fleetscope.collectors.kubernetes.wire import ListMetadata
from fleetscope.errors import InputError


@cache
def _decoder(kind: str) -> msgspec.json.Decoder:
    item = BY_KIND[kind].wire
    page = msgspec.defstruct(f"{kind}List", [("items", list[item]),  # type: ignore[valid-type]
                                             ("metadata", ListMetadata | None, None)])
    return msgspec.json.Decoder(page)


def decode_page(kind: str, body: bytes, *, where: str) -> tuple[list[dict[str, Any]], str | None]:
    """The page's items (plain dicts, needed fields only) and its continue token."""
    try:
        page = _decoder(kind).decode(body)
    except msgspec.ValidationError as exc:
        # msgspec names the JSON path, e.g. "Expected `array`, got `object` - at
        # `$.items[3].spec.containers`".
        raise InputError(f"{where}: malformed {kind}List: {exc}") from None
    except msgspec.DecodeError as exc:
        raise InputError(f"{where}: invalid JSON: {exc}") from None
    token = page.metadata.continue_ if page.metadata is not None else None
    return msgspec.to_builtins(page.items), token or None


# -- offline Lists: items of mixed kinds -------------------------------------------------------


class _RawList(msgspec.Struct):
    items: list[msgspec.Raw]


class _HeadMetadata(msgspec.Struct):
    name: Any = None
    namespace: Any = None


class _Head(msgspec.Struct):
    kind: Any = None
    metadata: _HeadMetadata | None = None


@cache
def _item_decoder(kind: str) -> msgspec.json.Decoder | None:
    found = BY_KIND.get(kind)
    return msgspec.json.Decoder(found.wire) if found is not None else None


def iter_list_items(body: bytes, *, origin: str) -> Iterator[tuple[int, str, dict[str, Any]]]:
    """(index, kind, needed fields as dicts) for each collected item of a List document.

    Items stay raw JSON until their kind is known, then decode with that kind's slim type;
    kinds fleetscope does not collect (Services, Events...) are skipped undecoded.
    """
    try:
        document = msgspec.json.decode(body, type=_RawList)
    except msgspec.ValidationError:
        raise InputError(f"{origin}: expected a Kubernetes List (an object with `items`), as "
                         "printed by `kubectl get ... -o json`") from None
    except msgspec.DecodeError as exc:
        raise InputError(f"{origin}: invalid JSON: {exc}") from None
    head_decoder = msgspec.json.Decoder(_Head)
    for index, raw in enumerate(document.items):
        where = f"{origin}: items[{index}]"
        try:
            head = head_decoder.decode(raw)
        except msgspec.ValidationError:
            raise InputError(f"{where}: expected an object with `kind` and `metadata`") from None
        if not isinstance(head.kind, str):
            raise InputError(f"{where}: `kind` is missing")
        decoder = _item_decoder(head.kind)
        if decoder is None:
            continue
        try:
            item = msgspec.to_builtins(decoder.decode(raw))
        except msgspec.ValidationError as exc:
            meta = head.metadata or _HeadMetadata()
            name = f"{meta.namespace}/{meta.name}" if meta.namespace else f"{meta.name}"
            raise InputError(f"{where}: {head.kind} {name}: malformed object: {exc}") from None
        yield index, head.kind, item
