"""Inputs copied from public documentation (tests/bad_inputs/public_corpus/README.md), through
the bad-input corpus' checks (tests/test_bad_inputs.py): exit code, a message naming file and
field, and a warehouse unchanged but for what a good input loads on purpose."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import test_bad_inputs as corpus

CASES = tomllib.loads(
    (corpus.CORPUS / "public_corpus" / "cases.toml").read_text(encoding="utf-8"))["case"]
baseline = corpus.baseline  # the module-scoped warehouse holding the good_* baselines


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_public_input(case: dict, baseline: Path, tmp_path: Path) -> None:
    corpus._check(case, baseline, tmp_path)
