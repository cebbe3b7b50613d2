"""The dump document as JSON: what `collect prometheus --dump` writes and `--from-file` reads.

The live collector builds the document with numpy arrays as values; written out, values are
pairs as Prometheus itself writes them (`[seconds, "value"]`), so a dump reads like a saved
`query_range` answer.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import orjson

from fleetscope.errors import InputError


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


def labels_text(metric: Mapping[str, Any]) -> str:
    """`{a="x", b="y"}`: a series' labels as PromQL writes them, for error messages."""
    return "{" + ", ".join(f'{k}="{v}"' for k, v in sorted(metric.items())) + "}"


def matrix(body: Any, where: str) -> list[Any]:
    """The `data.result` of a query_range response body, checked to be a matrix."""
    if not isinstance(body, dict):
        raise InputError(f"{where}: expected a query_range response object")
    if body.get("status") != "success":
        raise InputError(f"{where}: field 'status' is {body.get('status')!r}, not 'success' "
                         f"({body.get('error', 'no error given')})")
    data = body.get("data")
    if not isinstance(data, dict):
        raise InputError(f"{where}: field 'data' missing or not an object")
    if data.get("resultType") != "matrix":
        raise InputError(f"{where}: field 'data.resultType' is {data.get('resultType')!r}; a "
                         "query_range response must be 'matrix'")
    result = data.get("result")
    if not isinstance(result, list):
        raise InputError(f"{where}: field 'data.result' missing or not a list")
    return result
