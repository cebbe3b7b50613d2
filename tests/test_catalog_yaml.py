"""The catalog's YAML loader: YAML 1.2 core schema (as Backstage's eemeli/yaml), libyaml's C
parser, and the refusals that keep a hostile file cheap (issue 12 rows 4 and 7)."""

from __future__ import annotations

import math
import time
import tracemalloc
from datetime import datetime

import pytest

from fleetscope.collectors.catalog import read_catalog
from fleetscope.collectors.catalog.yaml12 import (
    MAX_ALIAS_EXPANSION,
    CoreLoader,
    load_documents,
    scalar_text,
)
from fleetscope.errors import InputError

WHEN = datetime(2026, 11, 20)

# The "billion laughs" document of issue 12 row 4: 9 levels of 9 aliases, 9**9 (387 million)
# strings once expanded, from a file well under a kilobyte.
LAUGHS = (
    "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: lol\n"
    '  annotations:\n    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    + "".join(
        f"    {c}: &{c} [{', '.join(['*' + p] * 9)}]\n"
        for p, c in zip("abcdefgh", "bcdefghi", strict=True)
    )
)


def _load(text: str):
    loader = CoreLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("no", "no"),
        ("yes", "yes"),
        ("on", "on"),
        ("off", "off"),
        ("y", "y"),
        ("true", True),
        ("False", False),
        ("TRUE", True),
        ("~", None),
        ("null", None),
        ("", None),
        ("012", 12),
        ("0o17", 15),
        ("0x1F", 31),
        ("-7", -7),
        ("1_000", "1_000"),
        ("0b101", "0b101"),
        ("1.10", 1.1),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("-.inf", -math.inf),
        ("2024-01-31", "2024-01-31"),
        ("12:30", "12:30"),
        ("=", "="),
    ],
)
def test_yaml_1_2_core_schema(text, expected):
    value = _load(f"v: {text}\n")["v"]
    assert value == expected
    assert isinstance(value, str) == isinstance(expected, str)
    assert isinstance(value, bool) == isinstance(expected, bool)
    if value is not None:
        assert scalar_text(value) == (text if not isinstance(value, bool) else text.lower())


def test_merge_key_is_an_ordinary_key_as_in_yaml_1_2():
    assert _load("base: &b {x: 1}\nitem:\n  <<: *b\n  y: 2\n")["item"] == {"<<": {"x": 1}, "y": 2}


def test_nan_is_read():
    assert math.isnan(_load("v: .NaN\n")["v"])


def test_unknown_tags_keep_their_value():
    """CloudFormation templates (`!Ref`) sit in monorepos; they are not entities, not errors."""
    assert _load("a: !Ref Bucket\nb: !GetAZs [x]\nc: !Sub {k: v}\n") == {
        "a": "Bucket",
        "b": ["x"],
        "c": {"k": "v"},
    }


def test_duplicate_key_names_file_line_and_key(tmp_path):
    path = tmp_path / "catalog-info.yaml"
    path.write_text("kind: Component\nmetadata:\n  name: a\n  name: b\n")
    with pytest.raises(
        InputError,
        match=r"catalog-info.yaml:4: invalid YAML: duplicate key "
        r"'name'",
    ):
        list(load_documents(path))


def test_billion_laughs_is_refused_at_once_in_bounded_memory(tmp_path):
    """Row 4: refused before anything is expanded. No time is asserted; memory is bounded by
    the composed (shared) nodes, a few hundred kilobytes at most."""
    (tmp_path / "catalog-info.yaml").write_text(LAUGHS)
    assert len(LAUGHS.encode()) < 700
    tracemalloc.start()
    started = time.perf_counter()
    try:
        with pytest.raises(InputError) as caught:
            read_catalog(tmp_path, collected_at=WHEN)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    print(f"refused in {time.perf_counter() - started:.4f}s, peak {peak} bytes")
    assert peak < 5_000_000
    assert str(caught.value) == (
        f"{tmp_path / 'catalog-info.yaml'}:1: document 1: YAML aliases expand to more than "
        f"{MAX_ALIAS_EXPANSION:,} nodes (a 'billion laughs' document?); refused"
    )


def test_a_recursive_alias_is_refused(tmp_path):
    (tmp_path / "x.yaml").write_text("kind: Group\nmetadata: {name: a}\nspec: &s {x: *s}\n")
    with pytest.raises(InputError, match="YAML aliases expand to more than"):
        read_catalog(tmp_path, collected_at=WHEN)


def test_modest_aliases_are_read(tmp_path):
    """Anchors for shared annotations are legitimate: under the limit they expand as usual."""
    (tmp_path / "x.yaml").write_text(
        "kind: Component\nmetadata:\n  name: a\n  annotations: &common {team: pay}\n"
        "  labels: *common\n"
    )
    frame = read_catalog(tmp_path, collected_at=WHEN).batch.tables["raw_catalog_entities"]
    assert frame[["annotations", "labels"]].values.tolist() == [['{"team": "pay"}'] * 2]


def test_deep_nesting_is_an_input_error(tmp_path):
    (tmp_path / "x.yaml").write_text("a: " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(InputError, match=r"x.yaml:1: invalid YAML"):
        read_catalog(tmp_path, collected_at=WHEN)
