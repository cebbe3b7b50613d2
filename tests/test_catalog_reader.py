"""Backstage descriptor files → raw_catalog_entities, with errors naming file and line."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pytest

from fleetscope.collectors.catalog import CatalogRead, read_catalog, read_catalog_path
from fleetscope.errors import InputError

REPO = Path(__file__).resolve().parent.parent

WHEN = datetime(2026, 11, 20)

CATALOG = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: payments-api
  annotations:
    backstage.io/kubernetes-id: pay
    backstage.io/kubernetes-label-selector: 'app=pay'
spec:
  type: service
  lifecycle: production
  owner: group:default/payments
  system: money
---
apiVersion: backstage.io/v1alpha1
kind: Group
metadata:
  name: payments
spec:
  type: team
  children: []
---
---
apiVersion: backstage.io/v1alpha1
kind: System
metadata:
  name: money
  namespace: finance
spec:
  owner: payments
"""


def test_multi_document_files_land_in_one_snapshot(tmp_path, warehouse):
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "catalog-info.yaml").write_text(CATALOG)
    (tmp_path / "other.yml").write_text("kind: Component\nmetadata: {name: orphan}\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.yaml").write_text("not: [an entity")
    warehouse.load(read_catalog_path(tmp_path, collected_at=WHEN, source="backstage"))
    rows = warehouse.con.execute(
        "select kind, entity_namespace, entity_name, owner, system, lifecycle, entity_type, "
        "kubernetes_id, kubernetes_label_selector from raw_catalog_entities "
        "order by kind, entity_name"
    ).fetchall()
    assert rows == [
        ("Component", "default", "orphan", None, None, None, None, None, None),
        (
            "Component",
            "default",
            "payments-api",
            "group:default/payments",
            "money",
            "production",
            "service",
            "pay",
            "app=pay",
        ),
        ("Group", "default", "payments", None, None, None, "team", None, None),
        ("System", "finance", "money", "payments", None, None, None, None, None),
    ]


def test_yaml_syntax_error_names_file_and_line(tmp_path):
    (tmp_path / "catalog-info.yaml").write_text(CATALOG + "---\nkind: [Component\n")
    with pytest.raises(InputError, match=r"catalog-info.yaml:32: invalid YAML"):
        read_catalog_path(tmp_path, collected_at=WHEN)


def test_entity_without_name_names_file_and_document_line(tmp_path):
    (tmp_path / "catalog-info.yaml").write_text(CATALOG + "---\nkind: Component\nmetadata: {}\n")
    with pytest.raises(InputError, match=r"catalog-info.yaml:31: Component has no 'metadata.name'"):
        read_catalog_path(tmp_path, collected_at=WHEN)


def test_missing_folder_is_an_error(tmp_path):
    with pytest.raises(InputError, match="no such file or folder"):
        read_catalog_path(tmp_path / "nope", collected_at=WHEN)


def _entity(kind: str, name: str, **spec: str) -> str:
    lines = [f"apiVersion: backstage.io/v1alpha1\nkind: {kind}\nmetadata:\n  name: {name}\nspec:"]
    lines += [f"  {key}: {value}" for key, value in spec.items()] or ["  {}"]
    return "\n".join(lines) + "\n"


def _read(path, **kwargs) -> CatalogRead:
    return read_catalog(path, collected_at=WHEN, **kwargs)


def _frame(read: CatalogRead):
    return read.batch.tables["raw_catalog_entities"]


def test_non_entity_yaml_is_skipped_and_counted(tmp_path):
    """Row 5: an OpenAPI spec, mkdocs.yaml and a Kubernetes manifest beside the catalog."""
    (tmp_path / "catalog-info.yaml").write_text(_entity("Component", "web", owner="team-a"))
    (tmp_path / "openapi.yaml").write_text("openapi: 3.0.0\ninfo: {title: Web, version: '1'}\n")
    (tmp_path / "mkdocs.yaml").write_text("site_name: Web\nnav:\n  - Home: index.md\n")
    (tmp_path / "deploy.yaml").write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web}\n---\n- a list\n"
    )
    read = _read(tmp_path)
    assert _frame(read)["entity_name"].tolist() == ["web"]
    assert (read.count_files, read.count_skipped_documents) == (4, 4)
    assert "4 document(s) skipped: not Backstage entities" in read.summary()


def test_a_backstage_document_without_kind_is_still_an_error(tmp_path):
    (tmp_path / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nmetadata: {name: web}\n"
    )
    with pytest.raises(InputError, match=r"catalog-info.yaml:1: missing field 'kind'"):
        _read(tmp_path)


def test_folder_filtered_by_glob(tmp_path):
    """Row 5: `patterns` (the CLI's glob filter) selects the files a folder contributes."""
    (tmp_path / "svc").mkdir()
    (tmp_path / "svc" / "catalog-info.yaml").write_text(_entity("Component", "svc"))
    (tmp_path / "svc" / "values.yaml").write_text("not: [valid yaml")
    (tmp_path / "catalog-info.yaml").write_text(_entity("Component", "top"))
    read = _read(tmp_path, patterns=["**/catalog-info.yaml"])
    assert sorted(_frame(read)["entity_name"]) == ["svc", "top"]
    assert read.count_files == 2
    assert _frame(_read(tmp_path, patterns=["catalog-info.yaml"]))["entity_name"].tolist() == [
        "top"
    ]


def test_same_entity_in_two_files_first_wins_with_a_warning(tmp_path):
    """Row 6: sorted file paths decide; kind, namespace and name compare case-insensitively."""
    (tmp_path / "a.yaml").write_text(_entity("Component", "billing", owner="team-a"))
    (tmp_path / "b.yaml").write_text(_entity("component", "Billing", owner="team-b"))
    read = _read(tmp_path)
    assert _frame(read)[["kind", "entity_name", "owner"]].values.tolist() == [
        ["Component", "billing", "team-a"]
    ]
    [warning] = read.warnings
    assert f"{tmp_path / 'b.yaml'}:1" in warning
    assert f"already defined in {tmp_path / 'a.yaml'}:1" in warning


def test_yaml_1_2_scalars_stay_as_written(tmp_path):
    """Row 7: `no` is a string in YAML 1.2; `1.10` is a number there too, so a field Backstage
    wants as a string keeps the text the author wrote."""
    (tmp_path / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: radio\n"
        "  labels: {tier: 01, enabled: yes, released: 2024-01-31}\n"
        "spec:\n  owner: no\n  system: 1.10\n  lifecycle: on\n  type: True\n"
    )
    row = _frame(_read(tmp_path)).iloc[0]
    assert (row["owner"], row["system"], row["lifecycle"], row["entity_type"]) == (
        "no",
        "1.10",
        "on",
        "true",
    )
    assert json.loads(row["labels"]) == {"tier": "01", "enabled": "yes", "released": "2024-01-31"}


def test_owner_refs_compare_case_insensitively(tmp_path):
    """Row 8: one team in the Group's spelling; without a Group, the first spelling met."""
    (tmp_path / "a.yaml").write_text(
        _entity("Component", "one", owner="group:default/Team-B")
        + "---\n"
        + _entity("Component", "two", owner="team-b")
        + "---\n"
        + _entity("Component", "three", owner="Ops")
        + "---\n"
        + _entity("Component", "four", owner="user:OPS")
    )
    (tmp_path / "b.yaml").write_text(_entity("Group", "team-b", type="team"))
    components = _frame(_read(tmp_path)).query("kind == 'Component'")
    assert dict(components[["entity_name", "owner"]].values.tolist()) == {
        "one": "group:default/team-b",
        "two": "team-b",
        "three": "Ops",
        "four": "user:Ops",
    }


def test_owner_spellings_give_one_team_in_staging(tmp_path, warehouse):
    (tmp_path / "a.yaml").write_text(
        _entity("Component", "one", owner="group:default/Team-B")
        + "---\n"
        + _entity("Component", "two", owner="team-b")
    )
    warehouse.load(read_catalog_path(tmp_path, collected_at=WHEN))
    model = REPO / "pipelines/models/staging/stg_catalog_components.sql"
    warehouse.con.execute(f"create view stg_catalog_components as {model.read_text()}")
    teams = warehouse.con.execute("select distinct team from stg_catalog_components").fetchall()
    assert teams == [("Team-B",)]


@pytest.mark.parametrize(
    ("name", "got"),
    [("2024", "the number 2024"), ("1.10", "the number 1.10"), ("true", "the boolean true")],
)
def test_name_must_be_a_string(tmp_path, name, got):
    """Row 9: the error names the file, the line, the document and the field."""
    (tmp_path / "catalog-info.yaml").write_text(CATALOG + "---\n" + _entity("Component", name))
    with pytest.raises(InputError) as caught:
        _read(tmp_path)
    assert str(caught.value) == (
        f"{tmp_path / 'catalog-info.yaml'}:31: document 5: Component field 'metadata.name' "
        f'must be a string, got {got} (quote it: name: "{name}")'
    )


@pytest.mark.parametrize(("text", "message"), [
    ("kind: 7\nmetadata: {name: a}\n",
     r"x.yaml:1: document 1: field 'kind' must be a string, got the number 7"),
    ("kind: Group\nmetadata: {name: a, namespace: 0x1F}\n",
     r"document 1: Group a: field 'metadata.namespace' must be a string, got the number 0x1F"),
])
def test_namespace_and_kind_must_be_strings(tmp_path, text, message):
    (tmp_path / "x.yaml").write_text(text)
    with pytest.raises(InputError, match=message):
        _read(tmp_path / "x.yaml")


def test_collect_catalog_reads_only_the_globbed_files_and_says_what_it_skipped(tmp_path):
    # A monorepo: the descriptor, an OpenAPI spec beside it, and a second Component in a file
    # that --glob leaves out. By hand: 3 entities in catalog-info.yaml (Component, Group,
    # System), the spec is not read at all with the glob, and read (and skipped) without it.
    from click.testing import CliRunner

    from fleetscope.cli import cli
    from fleetscope.warehouse import connect_read_only

    repo = tmp_path / "repo"
    (repo / "svc").mkdir(parents=True)
    (repo / "svc" / "catalog-info.yaml").write_text(CATALOG)
    (repo / "svc" / "openapi.yaml").write_text("openapi: 3.0.0\ninfo: {title: pay, version: '1'}\n")
    (repo / "extra.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: extra}\n"
        "spec: {owner: payments}\n")
    base = ["--warehouse", str(tmp_path / "wh.duckdb"), "collect", "catalog", "--path", str(repo),
            "--collected-at", "2026-11-20T00:00:00Z"]
    result = CliRunner().invoke(cli, [*base, "--glob", "**/catalog-info.yaml"])
    assert result.exit_code == 0, result.output
    con = connect_read_only(tmp_path / "wh.duckdb")
    try:
        names = sorted(r[0] for r in con.execute(
            "select entity_name from raw_catalog_entities").fetchall())
    finally:
        con.close()
    assert names == ["money", "payments", "payments-api"]
    result = CliRunner().invoke(cli, base)  # default globs: every YAML file
    assert result.exit_code == 0, result.output
    assert "1 document(s) skipped: not Backstage entities" in result.output
