"""Backstage's own demo catalog, and Location entities that point at other files.

The demo catalog is a copy of backstage/backstage `packages/catalog-model/examples` (Apache-2.0;
origin and commits in tests/fixtures/backstage-examples/LICENSE.md).
"""

from __future__ import annotations

import shutil
from datetime import datetime
from pathlib import Path

import pandas as pd
import pytest

from fleetscope.collectors.catalog import read_catalog
from fleetscope.errors import InputError

WHEN = datetime(2026, 11, 20)
FIXTURES = Path(__file__).resolve().parent / "fixtures"
EXAMPLES = FIXTURES / "backstage-examples"
# Counted by hand: all-components.yaml lists 13 files under components/, each holding one
# document, and each of those documents says `kind: Component` (no other file does).
COMPONENTS = 13
# all.yaml, the six all-*.yaml Locations it names, and the 32 files those name.
FILES = 39
KINDS = {
    "Component": 13,
    "API": 10,
    "Location": 7,
    "Domain": 3,
    "System": 3,
    "AiResource": 2,
    "Resource": 1,
}


def _frame(path: Path, **kwargs) -> pd.DataFrame:
    read = read_catalog(path, collected_at=WHEN, **kwargs)
    return read.batch.tables["raw_catalog_entities"].sort_values(
        ["kind", "entity_name"], ignore_index=True
    )


def test_demo_catalog_loads_in_full_through_its_locations():
    read = read_catalog(EXAMPLES / "all.yaml", collected_at=WHEN)
    frame = read.batch.tables["raw_catalog_entities"]
    assert (read.count_files, read.count_skipped_documents, read.warnings) == (FILES, 0, [])
    assert frame["kind"].value_counts().to_dict() == KINDS
    components = frame[frame["kind"] == "Component"]
    assert len(components) == COMPONENTS
    assert dict(components[["entity_name", "owner"]].values.tolist())["playback-sdk"] == "team-c"
    assert sorted(components["system"].dropna().unique()) == [
        "artist-engagement-portal",
        "audio-playback",
        "podcast",
    ]


def test_demo_catalog_loads_the_same_with_openapi_and_mkdocs_beside_it(tmp_path):
    """The folder read finds the OpenAPI document (apis/petstore-webhook.oas.yaml) and a
    mkdocs.yaml, skips both, and yields the same entities as all.yaml."""
    folder = tmp_path / "examples"
    shutil.copytree(EXAMPLES, folder)
    shutil.copy(FIXTURES / "backstage-extras" / "mkdocs.yaml", folder / "mkdocs.yaml")
    read = read_catalog(folder, collected_at=WHEN)
    assert (read.count_files, read.count_skipped_documents) == (FILES + 2, 2)
    pd.testing.assert_frame_equal(_frame(folder), _frame(EXAMPLES / "all.yaml"))


def _location(*targets: str, name: str = "loc", presence: str | None = None) -> str:
    lines = [
        "apiVersion: backstage.io/v1alpha1",
        "kind: Location",
        "metadata:",
        f"  name: {name}",
        "spec:",
        "  targets:",
    ]
    lines += [f"    - {t}" for t in targets]
    if presence:
        lines.append(f"  presence: {presence}")
    return "\n".join(lines) + "\n"


def _component(name: str) -> str:
    return f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: {name}\n"


def test_relative_targets_are_followed_and_remote_ones_counted(tmp_path):
    (tmp_path / "teams" / "pay").mkdir(parents=True)
    (tmp_path / "catalog-info.yaml").write_text(
        _location(
            "./teams/*/catalog.yaml",
            "https://github.com/acme/x/blob/main/catalog-info.yaml",
            "./missing.yaml",
            presence="optional",
        )
    )
    (tmp_path / "teams" / "pay" / "catalog.yaml").write_text(_component("pay"))
    read = read_catalog(tmp_path, collected_at=WHEN, patterns=["catalog-info.yaml"])
    frame = read.batch.tables["raw_catalog_entities"]
    assert frame[["kind", "entity_name"]].values.tolist() == [
        ["Location", "loc"],
        ["Component", "pay"],
    ]
    assert read.remote_targets == ["https://github.com/acme/x/blob/main/catalog-info.yaml"]
    assert "1 remote location target(s) not followed" in read.summary()
    assert "remote location target https://github.com/acme/x" in read.warnings[0]


def test_a_location_cycle_is_read_once(tmp_path):
    (tmp_path / "a.yaml").write_text(_location("./b.yaml", name="to-b") + "---\n" + _component("a"))
    (tmp_path / "b.yaml").write_text(_location("./a.yaml", name="to-a") + "---\n" + _component("b"))
    read = read_catalog(tmp_path / "a.yaml", collected_at=WHEN)
    assert read.count_files == 2
    assert read.warnings == []
    assert len(read.batch.tables["raw_catalog_entities"]) == 4


@pytest.mark.parametrize("target", ["../outside.yaml", "/etc/hostname", "./link/x.yaml"])
def test_a_target_outside_the_folder_is_refused(tmp_path, target):
    root = tmp_path / "catalog"
    root.mkdir()
    (tmp_path / "outside.yaml").write_text(_component("outside"))
    (root / "link").symlink_to(tmp_path)
    (tmp_path / "x.yaml").write_text(_component("x"))
    (root / "catalog-info.yaml").write_text(_location(target))
    with pytest.raises(InputError) as caught:
        read_catalog(root, collected_at=WHEN, patterns=["catalog-info.yaml"])
    assert str(caught.value) == (
        f"{root / 'catalog-info.yaml'}:1: Location target '{target}' is outside the catalog "
        f"folder {root}; refused"
    )


def test_a_missing_required_target_names_the_location(tmp_path):
    (tmp_path / "catalog-info.yaml").write_text(_location("./gone.yaml"))
    with pytest.raises(
        InputError,
        match=r"catalog-info.yaml:1: Location target './gone.yaml': "
        r"no such file",
    ):
        read_catalog(tmp_path, collected_at=WHEN)
