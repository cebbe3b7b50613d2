"""Writes the catalog cases of the bad-input corpus (issue 12), one folder per case.

Each folder holds `catalog-info.yaml` (and sometimes a second file): the corpus's valid
`checkout` component with exactly one thing wrong, so that the expected error in cases.toml
names that thing. Run it after changing a case; the outputs are committed.
"""

from __future__ import annotations

import shutil
from pathlib import Path

HERE = Path(__file__).resolve().parent
CATALOG_OK = (HERE.parent / "good_catalog" / "catalog-info.yaml").read_text(encoding="utf-8")
LOCATION = """\
apiVersion: backstage.io/v1alpha1
kind: Location
metadata:
  name: more
spec:
  targets:
"""
# 9 levels of 9 aliases: 387 million strings once expanded (issue 12 row 4's 657 bytes).
LAUGHS = CATALOG_OK.replace(
    "    backstage.io/kubernetes-id: checkout\n",
    "".join(
        ['    a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n']
        + [
            f"    {c}: &{c} [{', '.join(['*' + p] * 9)}]\n"
            for p, c in zip("abcdefgh", "bcdefghi", strict=True)
        ]
    ),
)


def case(name: str, files: dict[str, str | bytes]) -> None:
    folder = HERE / name
    shutil.rmtree(folder, ignore_errors=True)
    for file, content in files.items():
        path = folder / file
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")


def main() -> None:
    case("billion_laughs", {"catalog-info.yaml": LAUGHS})
    case(
        "name_is_a_number",
        {"catalog-info.yaml": CATALOG_OK.replace("name: checkout", "name: 2024")},
    )
    case(
        "kind_is_a_number", {"catalog-info.yaml": CATALOG_OK.replace("kind: Component", "kind: 1")}
    )
    case(
        "namespace_is_a_list",
        {
            "catalog-info.yaml": CATALOG_OK.replace(
                "  name: checkout\n", "  name: checkout\n  namespace: [shop]\n"
            )
        },
    )
    case("duplicate_key", {"catalog-info.yaml": CATALOG_OK + "  owner: group:shipping\n"})
    case(
        "annotations_not_a_map",
        {
            "catalog-info.yaml": CATALOG_OK.replace(
                "    backstage.io/kubernetes-id: checkout\n", "    - backstage.io/kubernetes-id\n"
            )
        },
    )
    case(
        "not_utf8",
        {
            "catalog-info.yaml": CATALOG_OK.replace("system: shop", "system: caf\u00e9").encode(
                "latin-1"
            )
        },
    )
    case(
        "location_escapes",
        {"catalog-info.yaml": LOCATION + "    - ../../good_catalog/catalog-info.yaml\n"},
    )
    case("location_target_missing", {"catalog-info.yaml": LOCATION + "    - ./teams/gone.yaml\n"})
    case(
        "location_targets_not_a_list",
        {"catalog-info.yaml": LOCATION.replace("  targets:\n", "  targets: ./more.yaml\n")},
    )
    # Inputs that load: what Backstage reads beside a catalog, and a conflict.
    case(
        "openapi_and_mkdocs_beside",
        {
            "catalog-info.yaml": CATALOG_OK,
            "openapi.yaml": "openapi: 3.1.0\ninfo:\n  title: Checkout\n  version: 1.0.0\n",
            "mkdocs.yaml": "site_name: Checkout\nnav:\n  - Home: index.md\n",
        },
    )
    case(
        "same_entity_twice",
        {
            "a/catalog-info.yaml": CATALOG_OK,
            "b/catalog-info.yaml": CATALOG_OK.replace("group:payments", "group:shipping"),
        },
    )


if __name__ == "__main__":
    main()
