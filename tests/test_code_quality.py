"""The library lints clean with ruff, type-checks with mypy and keeps its layers (import-linter),
all configured in pyproject.toml."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", *args], cwd=REPO, capture_output=True, text=True,
                          timeout=600)


def test_ruff_finds_nothing() -> None:
    result = _run("ruff", "check", ".")
    assert result.returncode == 0, result.stdout + result.stderr


def test_mypy_finds_nothing() -> None:
    result = _run("mypy")
    assert result.returncode == 0, result.stdout + result.stderr


def test_layers_are_kept() -> None:
    # Contracts in [tool.importlinter]: nothing imports a layer above it, no cycle between layers.
    result = subprocess.run([str(Path(sys.executable).with_name("lint-imports"))], cwd=REPO,
                            capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _library_modules() -> list[Path]:
    # The package as installed: fleetscope/ and the top-level folders linked into it (rglob does
    # not follow the links, so each folder is walked from the repository's top).
    linked = ("collectors", "pipelines", "warehouse", "reports", "notebooks")
    roots = [REPO / "fleetscope", *(REPO / name for name in linked)]
    return sorted(path for root in roots for path in root.rglob("*.py"))


def test_modules_and_functions_stay_small() -> None:
    # Small modules and functions keep each piece readable in one sitting (issue 10): a module
    # over 400 lines or a function over 60 is split along a real seam, not allowed to grow.
    too_long: list[str] = []
    for path in _library_modules():
        source = path.read_text(encoding="utf-8")
        shown = path.relative_to(REPO)
        lines = source.count("\n")
        if lines > MAX_MODULE_LINES:
            too_long.append(f"{shown}: {lines} lines")
        for node in ast.walk(ast.parse(source, filename=str(path))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                length = (node.end_lineno or node.lineno) - node.lineno + 1
                if length > MAX_FUNCTION_LINES:
                    too_long.append(f"{shown}:{node.lineno} {node.name}(): {length} lines")
    assert not too_long, "\n".join(too_long)
