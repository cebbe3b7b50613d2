"""Prometheus: hourly container usage, requests and node capacity.

`reader` turns the dump format (one `query_range` body per fixed series name) into the raw
tables; the live collector (`live`, `collector`) runs the PromQL of `queries` through `client`,
builds the same document, and hands it to the same reader.
"""

from fleetscope.collectors.prometheus.live import collect_batches
from fleetscope.collectors.prometheus.reader import (
    CONTAINER_SERIES,
    NODE_SERIES,
    read_dump,
    read_dump_file,
)

__all__ = ["CONTAINER_SERIES", "NODE_SERIES", "collect_batches", "read_dump",
           "read_dump_file"]
