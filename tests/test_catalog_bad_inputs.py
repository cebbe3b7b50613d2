"""The catalog cases of the bad-input corpus (tests/bad_inputs/catalog_corpus/cases.toml).

Same conventions and checks as tests/test_bad_inputs.py (whose baseline warehouse and `_check`
are reused): exit code, a message naming file and field, and an unchanged warehouse except for
the rows a case loads on purpose.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
import test_bad_inputs as corpus

CASES = tomllib.loads(
    (corpus.CORPUS / "catalog_corpus" / "cases.toml").read_text(encoding="utf-8")
)["case"]
baseline = corpus.baseline  # the module-scoped warehouse holding the good_* baselines


def test_catalog_cases_are_new_and_named_once() -> None:
    names = [case["name"] for case in CASES]
    assert len(names) >= 12
    assert len(set(names)) == len(names)
    assert not set(names) & {case["name"] for case in corpus.CASES}


@pytest.mark.parametrize("case", CASES, ids=[c["name"] for c in CASES])
def test_catalog_bad_input(case: dict, baseline: Path, tmp_path: Path) -> None:
    corpus._check(case, baseline, tmp_path)
