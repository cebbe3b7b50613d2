"""Decoding with the slim wire types: live list pages of one kind, offline Lists of many.

Decoded items come back as plain dicts with the API's own keys (`msgspec.to_builtins`), so the
row handlers read live pages and offline Lists alike.
"""

from __future__ import annotations

import codecs
from functools import cache
from typing import Any, NamedTuple

import msgspec

from fleetscope.collectors.kubernetes.kinds import BY_KIND
from fleetscope.collectors.kubernetes.wire import ListMetadata
from fleetscope.errors import InputError


@cache
def _decoder(kind: str) -> msgspec.json.Decoder:
    item = BY_KIND[kind].wire
    page = msgspec.defstruct(
        f"{kind}List",
        [
            ("items", list[item]),  # type: ignore[valid-type]
            ("metadata", ListMetadata | None, None),
        ],
    )
    return msgspec.json.Decoder(page)


_UTF8_CHUNK = 1 << 20


def first_bad_utf8(body: bytes) -> int | None:
    """The offset of the first byte that is not UTF-8, or None.

    msgspec checks the strings it decodes but skips the fields fleetscope does not read
    unchecked, so a bad byte in an annotation or an env value would pass silently; JSON must be
    UTF-8 (RFC 8259). Checked in 1 MiB chunks so a large List is not copied into one str.
    """
    if body.isascii():  # the common case, and no copy at all
        return None
    decoder = codecs.getincrementaldecoder("utf-8")()
    view = memoryview(body)
    for start in range(0, len(body), _UTF8_CHUNK):
        pending = len(decoder.getstate()[0])  # bytes of a character cut by the last chunk
        try:
            decoder.decode(
                view[start : start + _UTF8_CHUNK], final=start + _UTF8_CHUNK >= len(body)
            )
        except UnicodeDecodeError as bad:
            return start - pending + bad.start
    return None


def check_utf8(body: bytes, where: str) -> None:
    """Refuse a body that is not UTF-8, naming the offset of its first bad byte."""
    offset = first_bad_utf8(body)
    if offset is not None:
        raise InputError(
            f"{where}: not UTF-8 at byte {offset} "
            f"({body[offset : offset + 1]!r}; JSON text must be UTF-8)"
        )


def decoding_error(exc: msgspec.DecodeError, body: bytes, where: str) -> InputError:
    """The InputError for a body msgspec could not decode (a bad byte: its offset)."""
    try:
        check_utf8(body, where)
    except InputError as bad:
        return bad
    return InputError(f"{where}: invalid JSON: {exc}")


def decode_page(kind: str, body: bytes, *, where: str) -> tuple[list[dict[str, Any]], str | None]:
    """The page's items (plain dicts, needed fields only) and its continue token."""
    try:
        page = _decoder(kind).decode(body)
    except msgspec.ValidationError as exc:
        # msgspec names the JSON path, e.g. "Expected `array`, got `object` - at
        # `$.items[3].spec.containers`".
        raise InputError(f"{where}: malformed {kind}List: {exc}") from None
    except msgspec.DecodeError as exc:
        raise decoding_error(exc, body, where) from None
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
    apiVersion: Any = None  # the JSON name
    metadata: _HeadMetadata | None = None


class ListItem(NamedTuple):
    """One collected item of a List, still raw JSON: its position, kind, name and namespace."""

    position: int  # in the List's items
    kind: str
    name: Any  # as written; the row builder checks it
    namespace: Any
    raw: msgspec.Raw

    def label(self) -> str:
        return (
            f"{self.kind} {self.namespace}/{self.name}"
            if self.namespace
            else f"{self.kind} {self.name}"
        )


@cache
def _item_decoder(kind: str) -> msgspec.json.Decoder | None:
    found = BY_KIND.get(kind)
    return msgspec.json.Decoder(found.wire) if found is not None else None


def split_list(body: bytes, *, origin: str, skipped: dict[str, int]) -> list[ListItem]:
    """The collected items of a List document, in order, each read only as far as its kind,
    name and namespace; kinds fleetscope does not collect (Services, Events...) are counted per
    kind in `skipped` and never decoded."""
    check_utf8(body, origin)
    try:
        document = msgspec.json.decode(body, type=_RawList)
    except msgspec.ValidationError:
        raise InputError(
            f"{origin}: expected a Kubernetes List (an object with `items`), as "
            "printed by `kubectl get ... -o json`"
        ) from None
    except msgspec.DecodeError as exc:
        raise decoding_error(exc, body, origin) from None
    head_decoder = msgspec.json.Decoder(_Head)
    found = []
    for index, raw in enumerate(document.items):
        try:
            head = head_decoder.decode(raw)
        except msgspec.ValidationError:
            raise InputError(
                f"{origin}: items[{index}]: expected an object with `kind` and `metadata`"
            ) from None
        if not isinstance(head.kind, str):
            raise InputError(f"{origin}: items[{index}]: `kind` is missing")
        if head.kind not in BY_KIND or not _same_group(head):
            # A custom kind is only ours in its group: CloudNativePG also has a `Backup`.
            label = head.kind if head.kind not in BY_KIND else f"{head.kind} ({head.apiVersion})"
            skipped[label] = skipped.get(label, 0) + 1
            continue
        meta = head.metadata or _HeadMetadata()
        found.append(ListItem(index, head.kind, meta.name, meta.namespace, raw))
    return found


def _same_group(head: _Head) -> bool:
    """A custom kind's item must name its group (`velero.io/v1`); built-in kinds need not."""
    kind = BY_KIND[head.kind]
    if not kind.custom:
        return True
    return isinstance(head.apiVersion, str) and head.apiVersion.startswith(f"{kind.group}/")


def decode_item(item: ListItem, *, origin: str) -> dict[str, Any]:
    """The fields of one item the warehouse needs, as plain dicts."""
    decoder = _item_decoder(item.kind)
    assert decoder is not None  # split_list keeps collected kinds only
    try:
        return msgspec.to_builtins(decoder.decode(item.raw))
    except msgspec.ValidationError as exc:
        raise InputError(
            f"{origin}: items[{item.position}]: {item.label()}: malformed object: {exc}"
        ) from None
