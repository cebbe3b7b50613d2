"""The warehouse: migrations on open, atomic idempotent loads, state, failures recorded."""

from __future__ import annotations

from datetime import datetime

import pandas as pd
import pytest

from fleetscope.errors import WarehouseError
from fleetscope.warehouse import LoadBatch, Warehouse, Window


def _namespaces(*names: str) -> pd.DataFrame:
    return pd.DataFrame({"namespace": list(names), "labels": ["{}"] * len(names),
                         "annotations": ["{}"] * len(names)})


def test_snapshot_reload_replaces_instead_of_duplicating(warehouse):
    when = datetime(2026, 11, 20, 6)
    for _ in range(2):
        warehouse.load(LoadBatch("kubernetes", "prod", when,
                                 {"raw_k8s_namespaces": _namespaces("a", "b")}))
    rows = warehouse.query_df("select namespace from raw_k8s_namespaces order by 1")
    assert rows["namespace"].tolist() == ["a", "b"]
    assert warehouse.query_df("select count(*) n from loads")["n"][0] == 2


def test_window_load_replaces_only_its_window_and_cluster(warehouse):
    def hours(cluster_value: float, *starts: datetime) -> pd.DataFrame:
        return pd.DataFrame({"hour_start": list(starts), "node_name": "n1",
                             "present_hours": cluster_value})

    h = [datetime(2026, 11, 20, i) for i in range(3)]
    warehouse.load(LoadBatch("prometheus", "a", h[2], {"raw_prom_node_hours": hours(1.0, *h)},
                             window=Window(h[0], datetime(2026, 11, 20, 3))))
    warehouse.load(LoadBatch("prometheus", "b", h[2], {"raw_prom_node_hours": hours(1.0, h[1])},
                             window=Window(h[1], h[2])))
    warehouse.load(LoadBatch("prometheus", "a", h[2], {"raw_prom_node_hours": hours(0.5, h[1])},
                             window=Window(h[1], h[2])))
    rows = warehouse.query_df("select cluster, hour(hour_start) h, present_hours "
                              "from raw_prom_node_hours order by 1, 2")
    assert rows.values.tolist() == [["a", 0, 1.0], ["a", 1, 0.5], ["a", 2, 1.0], ["b", 1, 1.0]]


def test_failed_load_leaves_nothing(warehouse):
    good = _namespaces("a")
    bad = pd.DataFrame({"no_such_column": [1]})
    with pytest.raises(WarehouseError, match="unknown columns"):
        warehouse.load(LoadBatch("kubernetes", "prod", datetime(2026, 11, 20),
                                 {"raw_k8s_namespaces": good, "raw_k8s_pods": bad}))
    assert warehouse.query_df("select count(*) n from raw_k8s_namespaces")["n"][0] == 0
    assert warehouse.query_df("select count(*) n from loads")["n"][0] == 0


def test_state_commits_with_the_load(warehouse):
    warehouse.load(LoadBatch("prometheus", "a", datetime(2026, 11, 20), {},
                             state={"prometheus:a:watermark": "2026-11-20T00:00:00"}))
    assert warehouse.get_state("prometheus:a:watermark") == "2026-11-20T00:00:00"


def test_migrations_apply_once(warehouse_path):
    Warehouse(warehouse_path).close()
    wh = Warehouse(warehouse_path)
    versions = wh.query_df("select version from schema_migrations")["version"].tolist()
    assert versions == sorted(set(versions))
    wh.close()


def test_second_writer_gets_a_clear_error(warehouse, warehouse_path):
    import subprocess
    import sys

    code = ("from fleetscope.warehouse import Warehouse\n"
            f"Warehouse({str(warehouse_path)!r})\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode != 0
    assert "in use by another process" in result.stderr


def test_a_writer_waits_for_a_reader_that_is_closing(warehouse, warehouse_path):
    # A reader that lets go within the wait (the previous run's process exiting, a `query`) does
    # not fail the write: the writer waits for DuckDB's file lock instead of erroring at once.
    import subprocess
    import sys
    import time

    warehouse.close()
    code = ("import duckdb, sys, time\n"
            f"con = duckdb.connect({str(warehouse_path)!r}, read_only=True)\n"
            "print('open', flush=True)\n"
            "time.sleep(1.5)\n")
    reader = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    assert reader.stdout is not None and reader.stdout.readline().strip() == "open"
    started = time.monotonic()
    with Warehouse(warehouse_path) as wh:
        waited = time.monotonic() - started
        assert wh.query_df("select 1 as x")["x"].tolist() == [1]
    assert reader.wait(timeout=30) == 0
    assert waited > 0.5  # it did wait for the reader (which held the file 1.5 s)
