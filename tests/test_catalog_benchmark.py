"""A tiny run of benchmarks/catalog_parse.py, so the benchmark keeps working (no time asserted)."""

from __future__ import annotations

import importlib.util
from pathlib import Path

SCRIPT = Path(__file__).resolve().parent.parent / "benchmarks" / "catalog_parse.py"


def test_benchmark_smoke(tmp_path, capsys):
    spec = importlib.util.spec_from_file_location("catalog_parse", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    result = module.main(["--components", "300", "--cache", str(tmp_path)])
    # 300 components, one Group (300 // 200 teams, at least one) and 30 Systems.
    assert result["entities"] == 331
    out = capsys.readouterr().out
    assert "same results: yes" in out
    assert "ratio:" in out
