"""The bad-input corpus (tests/bad_inputs/cases.toml): each case's exit code and message, and a
warehouse left as it was except as the case intends.

Every case runs the real CLI in-process against a copy of one warehouse holding valid baselines
(good_*), so "unchanged" is checked against real data, not an empty file.
"""

from __future__ import annotations

import shutil
import socket
import tomllib
from pathlib import Path

import pandas as pd
import pytest
from click.testing import CliRunner

from fleetscope.cli import cli
from fleetscope.warehouse import Warehouse

CORPUS = Path(__file__).resolve().parent / "bad_inputs"
CASES = tomllib.loads((CORPUS / "cases.toml").read_text(encoding="utf-8"))["case"]
BASELINE_AT = "2026-11-19T06:00:00Z"


def _fill(value: str, closed_port: str = "") -> str:
    return value.replace("{dir}", str(CORPUS)).replace("{closed_port}", closed_port)


def _invoke(warehouse: Path, args: list[str]):
    return CliRunner().invoke(cli, ["-q", "--warehouse", str(warehouse), *args])


@pytest.fixture(scope="module")
def baseline(tmp_path_factory: pytest.TempPathFactory) -> Path:
    warehouse = tmp_path_factory.mktemp("baseline") / "wh.duckdb"
    for args in (
        ["collect", "catalog", "--path", f"{CORPUS}/good_catalog", "--collected-at", BASELINE_AT],
        ["collect", "kubernetes", "--from-file", f"{CORPUS}/good_k8s.json", "--cluster", "prod",
         "--collected-at", BASELINE_AT],
        ["collect", "prometheus", "--from-file", f"{CORPUS}/good_prom.json"],
        ["collect", "helios", "--from-file", f"{CORPUS}/good_helios.json", "--collected-at",
         BASELINE_AT],
        ["collect", "git", "--from-file", f"{CORPUS}/good_git.json"],
        ["collect", "incidents", "--path", f"{CORPUS}/good_incidents.csv"],
        ["collect", "dirt", "--path", f"{CORPUS}/good_dirt.yaml"],
        ["collect", "billing", "--focus", f"{CORPUS}/billing_corpus/good_focus.csv", "--source",
         "aws"],
    ):
        result = _invoke(warehouse, args)
        assert result.exit_code == 0, result.output
    return warehouse


def _tables(path: Path) -> dict[str, pd.DataFrame]:
    with Warehouse(path) as wh:
        names = wh.query_df("select table_name from information_schema.tables "
                            "where table_type = 'BASE TABLE' order by 1")["table_name"]
        return {n: wh.query_df(f"select * from {n} order by all") for n in names}


def _without_load_ids(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=[c for c in ("load_id",) if c in frame.columns])


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_corpus_has_at_least_30_cases_with_unique_names() -> None:
    names = [case["name"] for case in CASES]
    assert len(names) >= 30
    assert len(set(names)) == len(names)


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_bad_input(case: dict, baseline: Path, tmp_path: Path) -> None:
    if not case.get("known_bug"):
        _check(case, baseline, tmp_path)
        return
    try:
        _check(case, baseline, tmp_path)
    except AssertionError:
        pytest.xfail(case["known_bug"])
    pytest.fail(f"{case['name']} behaves as documented now: drop its known_bug in cases.toml")


def _check(case: dict, baseline: Path, tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    shutil.copy(baseline, warehouse)
    before = _tables(warehouse)
    port = str(_closed_port())
    args = [_fill(a, port) for a in case["command"]]
    if "config" in case:
        config = tmp_path / "fleetscope.toml"
        config.write_text(_fill(case["config"], port))
        args = ["--config", str(config), *args]
    result = _invoke(warehouse, args)
    assert result.exit_code == case["exit_code"], result.output
    if "error" in case:
        assert "Error: " in result.output
        assert _fill(case["error"]) in result.output.replace("\n", " "), result.output
    after = _tables(warehouse)
    new_loads = after["loads"].merge(before["loads"], how="left", indicator=True)
    new_loads = new_loads[new_loads["_merge"] == "left_only"]
    if case.get("loads"):
        assert new_loads["status"].tolist() == ["succeeded"]
    else:
        # Unchanged but for a `failed` row recording the attempt.
        assert set(new_loads["status"]) <= {"failed"}
        for name, frame in before.items():
            if name != "loads":
                pd.testing.assert_frame_equal(after[name], frame, obj=name)
    if case.get("failed_load"):
        assert new_loads["source_kind"].tolist() == [case["failed_load"]]
    if case.get("same_rows"):
        for name, frame in before.items():
            if name.startswith("raw_"):
                pd.testing.assert_frame_equal(_without_load_ids(after[name]),
                                              _without_load_ids(frame), obj=name)
    if "check_sql" in case:
        with Warehouse(warehouse) as wh:
            assert wh.con.execute(case["check_sql"]).fetchall() == [(case["check_value"],)]
    if "absent" in case:
        for name, frame in after.items():
            assert not frame.astype(str).apply(
                lambda column: column.str.contains(case["absent"], regex=False)).any().any(), name


def test_loaded_but_refused_by_the_gate(baseline: Path, tmp_path: Path) -> None:
    """Values a reader accepts but the data-quality gate must refuse before anything is
    published (a snapshot stamped in the future), and absurd usage, which the cost model caps
    at the node's capacity."""
    from datetime import timedelta

    from fleetscope.warehouse import utc_now

    warehouse = tmp_path / "wh.duckdb"
    shutil.copy(baseline, warehouse)
    future = (utc_now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M:%SZ")
    for args in (
        ["collect", "kubernetes", "--from-file", f"{CORPUS}/good_k8s.json", "--cluster",
         "staging", "--collected-at", future],
        ["collect", "prometheus", "--from-file", f"{CORPUS}/prom_huge_usage.json"],
        ["transform"],
    ):
        result = _invoke(warehouse, args)
        assert result.exit_code == 0, (args, result.output)
    result = _invoke(warehouse, ["validate", "--out", str(tmp_path / "site")])
    assert result.exit_code == 6, result.output
    failed = {line.split()[1].rstrip(":") for line in result.output.splitlines()
              if line.startswith("CRITICAL")}
    assert {"loads.collected_at.not_in_future",
            "mart_cluster_utilization_daily.usage_date.not_in_future"} <= failed, result.output
    assert "mart_cluster_utilization_daily.cpu_used_within_capacity" not in failed
    # 1e308 cores used in the hour 2026-11-20 00:00 on node-a (4 cores): charged as 4 core-hours.
    with Warehouse(warehouse) as wh:
        used = wh.con.execute("select cpu_used_core_hours from mart_cluster_utilization_daily "
                              "where cluster = 'prod' and usage_date = '2026-11-20'").fetchall()
    assert used == [(4.0,)]
