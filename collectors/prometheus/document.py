"""The dump document as JSON: what `collect prometheus --dump` writes and `--from-file` reads.

The live collector builds the document with numpy arrays as values; written out, values are
pairs as Prometheus itself writes them (`[seconds, "value"]`), so a dump reads like a saved
`query_range` answer.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import orjson


def to_json_document(document: dict[str, Any]) -> bytes:
    """The dump as JSON, values as Prometheus writes them (`[seconds, "value"]`)."""
    def pairs(values: Any) -> Any:
        if isinstance(values, tuple):
            return [[int(t), _format(v)] for t, v in zip(values[0].tolist(), values[1].tolist(),
                                                         strict=True)]
        return values

    results = {name: {"status": body["status"], "data": {
        "resultType": body["data"]["resultType"],
        "result": [{"metric": item["metric"], "values": pairs(item["values"])}
                   for item in body["data"]["result"]]}}
        for name, body in document["results"].items()}
    return orjson.dumps({**document, "results": results})


def _format(value: float) -> str:
    if value != value:
        return "NaN"
    if value in (float("inf"), float("-inf")):
        return "+Inf" if value > 0 else "-Inf"
    return repr(value)


def iso(value: datetime) -> str:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ")
