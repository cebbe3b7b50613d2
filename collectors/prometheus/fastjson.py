"""Fast parsing of dump files: each series' `values` go straight to numpy arrays.

Plain orjson turns every sample into a list of an int and a str: 9.6M of them for 90 days x
600 containers x 7 series, most of the reading time and about 2 GB. Here every compact
`"values":[[t,"v"],...]` run is cut out of the bytes with one regular expression and replaced
by its index; orjson parses what is left (labels and structure) and `numpy.fromstring` parses
each run in C. Anything unusual (whitespace inside a run, a pair without exactly two elements,
a quoted timestamp, a value that is not a number) falls back to plain orjson, so that the
reader's own checks name the file, series and field.
"""

from __future__ import annotations

import re
import warnings
from typing import Any

import numpy as np
import orjson

# one compact run: "values":[] or "values":[[..],[..],...] (no nested brackets inside a pair)
_VALUES = re.compile(rb'"values":\[((?:\[[^\[\]]*\](?:,\[[^\[\]]*\])*)?)\]')


class _Fallback(Exception):
    """The fast path cannot vouch for this document: parse it the plain way."""


def loads_dump(raw: bytes) -> Any:
    """The parsed dump; series values as (timestamps, values) arrays where possible."""
    try:
        return _fast(raw)
    except _Fallback:
        return orjson.loads(raw)


def _fast(raw: bytes) -> Any:
    runs: list[bytes] = []

    def cut(match: re.Match[bytes]) -> bytes:
        runs.append(match.group(1))
        return b'"values":%d' % (len(runs) - 1)

    skeleton = _VALUES.sub(cut, raw)
    if not runs:
        raise _Fallback
    try:
        document = orjson.loads(skeleton)
    except orjson.JSONDecodeError:
        raise _Fallback from None
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(results, dict):
        raise _Fallback
    used = 0
    for body in results.values():
        data = body.get("data") if isinstance(body, dict) else None
        items = data.get("result") if isinstance(data, dict) else None
        if not isinstance(items, list):
            raise _Fallback
        for item in items:
            index = item.get("values") if isinstance(item, dict) else None
            if isinstance(index, int) and not isinstance(index, bool):
                item["values"] = _parse_run(runs[index])
                used += 1
    if used != len(runs):  # a run somewhere other than a series: not a dump we know
        raise _Fallback
    return document


def _parse_run(run: bytes) -> tuple[np.ndarray, np.ndarray]:
    if not run:
        return np.zeros(0), np.zeros(0)
    pairs = run.count(b"[")
    if run.count(b",") != 2 * pairs - 1 or b'["' in run:
        raise _Fallback
    try:
        text = run.translate(None, b'[]"').decode("ascii")
    except UnicodeDecodeError:
        raise _Fallback from None
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # numpy warns, and stops early, on text it cannot read
        try:
            numbers = np.fromstring(text, sep=",")
        except (ValueError, DeprecationWarning):
            raise _Fallback from None
    if numbers.size != 2 * pairs:
        raise _Fallback
    return numbers[0::2], numbers[1::2]
