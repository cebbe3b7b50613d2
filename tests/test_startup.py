"""Start-up stays instant: `--help` of every command and `fleetscope query` load no heavy library.

Asserting on the modules imported (in a fresh interpreter) rather than on wall time keeps the
test stable on a busy 2-core machine; the measured times are in docs/operations.md.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest

from fleetscope.cli import cli
from fleetscope.warehouse import Warehouse

HEAVY = ("pandas", "numpy", "pyarrow", "great_expectations", "papermill", "nbconvert", "nbclient",
         "nbformat", "jupyterlab", "jupyter_server", "kubernetes", "plotly", "scipy", "yaml",
         "rich", "sqlalchemy", "duckdb")

PROBE = """
import json, sys
argv, out = json.loads(sys.argv[1]), sys.argv[2]
sys.argv = ["fleetscope", *argv]
from fleetscope.cli import main
try:
    main()
except SystemExit as exc:
    code = exc.code
else:
    code = 0
top = sorted({name.split(".")[0] for name in sys.modules})
open(out, "w").write(json.dumps({"code": code, "modules": top}))
"""


def _loaded(tmp_path: Path, *argv: str) -> tuple[int, set[str]]:
    out = tmp_path / "modules.json"
    subprocess.run([sys.executable, "-c", PROBE, json.dumps(argv), str(out)], check=True,
                   capture_output=True, timeout=60)
    result = json.loads(out.read_text())
    return result["code"], set(result["modules"])


def _command_paths(group: click.Group, prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    paths = [prefix]
    for name, command in sorted(group.commands.items()):
        if isinstance(command, click.Group):
            paths.extend(_command_paths(command, (*prefix, name)))
        else:
            paths.append((*prefix, name))
    return paths


def test_help_of_every_command_imports_nothing_heavy(tmp_path: Path) -> None:
    for path in _command_paths(cli):
        code, modules = _loaded(tmp_path, *path, "--help")
        assert code == 0, path
        assert sorted(modules & set(HEAVY)) == [], f"fleetscope {' '.join(path)} --help"


def test_query_imports_only_duckdb(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    Warehouse(warehouse).close()
    code, modules = _loaded(tmp_path, "--warehouse", str(warehouse), "query", "select 42",
                            "--format", "json")
    assert code == 0
    assert "duckdb" in modules
    assert sorted(modules & set(HEAVY) - {"duckdb"}) == []


@pytest.mark.parametrize("path", _command_paths(cli)[1:], ids=" ".join)
def test_every_command_has_help_with_an_example(path: tuple[str, ...]) -> None:
    command: click.Command = cli
    for name in path:
        assert isinstance(command, click.Group)
        command = command.commands[name]
    assert command.help and command.help.strip()
    if not isinstance(command, click.Group):
        assert "Example" in command.help, f"fleetscope {' '.join(path)}"
