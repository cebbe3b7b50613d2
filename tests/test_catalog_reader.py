"""Backstage descriptor files → raw_catalog_entities, with errors naming file and line."""

from __future__ import annotations

from datetime import datetime

import pytest

from fleetscope.collectors.catalog import read_catalog_path
from fleetscope.errors import InputError

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
        "order by kind, entity_name").fetchall()
    assert rows == [
        ("Component", "default", "orphan", None, None, None, None, None, None),
        ("Component", "default", "payments-api", "group:default/payments", "money",
         "production", "service", "pay", "app=pay"),
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
