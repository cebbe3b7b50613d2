"""Every exit code has one meaning, one table (fleetscope.errors.EXIT_CODES), the same table in
docs/operations.md, and each code is raised here through the real CLI."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from test_ops_validate import TABLES, build

from fleetscope import errors
from fleetscope.cli import cli

REPO = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).parent / "bad_inputs"
GOOD_LIST = CORPUS / "good_k8s.json"


def test_each_error_class_has_its_own_code_from_the_table() -> None:
    classes = {name: getattr(errors, name) for _, (name, _) in errors.EXIT_CODES.items() if name}
    assert {cls.exit_code for cls in classes.values()} == set(errors.EXIT_CODES) - {0}
    for code, (name, _) in errors.EXIT_CODES.items():
        if name:
            assert classes[name].exit_code == code
    with pytest.raises(TypeError, match="belongs to InputError"):
        type("Impostor", (errors.FleetscopeError,), {}, code=3)


def test_operations_page_shows_the_table() -> None:
    page = (REPO / "docs" / "operations.md").read_text(encoding="utf-8")
    rows = re.findall(r"^\| (\d) \| *`?(\w*)`? *\| (.+?) \|", page, flags=re.MULTILINE)
    assert {int(code): (name, meaning) for code, name, meaning in rows} == errors.EXIT_CODES


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _warehouse_with_k8s(tmp: Path) -> list[str]:
    base = ["--warehouse", str(tmp / "wh.duckdb")]
    result = CliRunner().invoke(cli, [*base, "collect", "kubernetes", "--from-file",
                                      str(GOOD_LIST), "--cluster", "prod"])
    assert result.exit_code == 0, result.output
    return base


def _partial_run(tmp: Path) -> list[str]:
    (tmp / "snap-2026-11-20.json").write_bytes(GOOD_LIST.read_bytes())
    (tmp / "bad-2026-11-20.json").write_text('{"kind": "List", "items": [{"kind": 3}]}')
    (tmp / "fleetscope.toml").write_text(
        '[[kubernetes.files]]\npath = "snap-*.json"\ncluster = "prod"\n'
        '[[kubernetes.files]]\npath = "bad-*.json"\ncluster = "stg"\n')
    return ["--config", str(tmp / "fleetscope.toml"), "--warehouse", str(tmp / "wh.duckdb"),
            "run", "--no-report", "--out", str(tmp / "site")]


def _model_fails(tmp: Path) -> list[str]:
    base = _warehouse_with_k8s(tmp)
    con = duckdb.connect(str(tmp / "wh.duckdb"))
    con.execute("drop table raw_helios_jobs")  # a staging model reads it
    con.close()
    return [*base, "transform"]


def _check_fails(tmp: Path) -> list[str]:
    build(tmp / "wh.duckdb", mart_app_migration_status=TABLES[
        "mart_app_migration_status"].replace("'native'", "'not-a-status'"))
    return ["--warehouse", str(tmp / "wh.duckdb"), "validate", "--out", str(tmp / "site")]


# code -> (how to get it, a piece of its message)
CASES: dict[int, tuple[Callable[[Path], list[str]], str]] = {
    0: (lambda tmp: [*_warehouse_with_k8s(tmp), "query", "select 1"], ""),
    1: (lambda tmp: [*_warehouse_with_k8s(tmp), "query", "selec 1"], "Error: query failed"),
    2: (lambda tmp: ["--config", str(CORPUS / "config_unknown_key.toml"), "transform"],
        "Error: "),
    3: (lambda tmp: ["--warehouse", str(tmp / "wh.duckdb"), "collect", "kubernetes",
                     "--from-file", str(CORPUS / "k8s_truncated.json"), "--cluster", "prod"],
        "k8s_truncated.json"),
    # a connection error while collecting Prometheus (it used to exit 1)
    4: (lambda tmp: ["--warehouse", str(tmp / "wh.duckdb"), "collect", "prometheus", "--url",
                     f"http://127.0.0.1:{_closed_port()}", "--cluster", "prod",
                     "--start", "2026-11-02T00:00:00Z", "--end", "2026-11-02T01:00:00Z"],
        "Error: 1 of 1 Prometheus server(s) failed: prod ("),
    5: (lambda tmp: ["--warehouse", str(tmp / "none.duckdb"), "query", "select 1"],
        "does not exist"),
    6: (_check_fails, "Error: 1 critical check(s) failed"),
    7: (lambda tmp: ["--warehouse", str(tmp / "held.duckdb"), "transform", "--lock-timeout",
                     "0.2"], "Error: another fleetscope run holds the lock"),
    8: (_model_fails, "stg_helios_jobs.sql failed"),
    9: (_partial_run, "Error: 1 of 2 source(s) failed: kubernetes stg bad-2026-11-20.json"),
}


def test_every_code_is_raised() -> None:
    assert set(CASES) == set(errors.EXIT_CODES)


@pytest.mark.parametrize("code", sorted(CASES))
def test_code_through_the_cli(code: int, tmp_path: Path) -> None:
    make, message = CASES[code]
    args = make(tmp_path)
    holder = None
    if code == 7:  # another process holds the lock
        holder = subprocess.Popen(
            [sys.executable, "-c", "import sys\nfrom fleetscope.ops.lock import warehouse_lock\n"
             f"with warehouse_lock({str(tmp_path / 'held.duckdb')!r}, timeout_seconds=5):\n"
             "    print('held', flush=True)\n    sys.stdin.read()\n"],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    try:
        result = CliRunner().invoke(cli, ["-q", *args])
    finally:
        if holder is not None:
            holder.communicate("", timeout=30)
    assert result.exit_code == code, result.output
    assert message in result.output
