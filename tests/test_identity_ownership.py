"""App identity and team ownership in DESIGN's order, the override file, and the gaps mart."""

from __future__ import annotations

from datetime import datetime

import pytest
from helios_fake_api import document, host_status, job
from k8s_objects import as_list, container, meta, pod
from test_migration_history import run_migration_models

from fleetscope.collectors.catalog import read_catalog_path
from fleetscope.collectors.helios import read_dump
from fleetscope.collectors.kubernetes.reader import read_list
from fleetscope.config import parse_config
from fleetscope.errors import ConfigError
from fleetscope.pipelines.ownership import read_overrides

AT = datetime(2026, 11, 20, 6)

CATALOG = """\
kind: Component
metadata: {name: cart}
spec: {owner: group:default/catalog-team}
---
kind: Component
metadata: {name: inventory, annotations: {backstage.io/kubernetes-id: inv-k8s}}
spec: {owner: group:stock}
---
kind: Component
metadata: {name: billing}
spec: {owner: finance}
---
kind: Component
metadata: {name: reporting}
spec: {owner: data}
---
kind: Component
metadata: {name: ghost}
spec: {lifecycle: experimental}
---
kind: Component
metadata:
  name: shipping
  annotations: {backstage.io/kubernetes-label-selector: 'app.kubernetes.io/name=ship,tier==web'}
spec: {owner: logistics}
---
kind: Component
metadata:
  name: unmatched-set-selector
  annotations: {backstage.io/kubernetes-label-selector: 'app.kubernetes.io/name in (ship)'}
spec: {owner: logistics}
"""

OVERRIDES = """\
apps:
  billing:
    team: finance
    kubernetes: [legacy-name]
    helios: [billing-old]
teams:
  - {team: sre, namespace: shop, workload: w-override-place}
  - {team: platform, namespace: bare}
"""


def _workload(name: str, namespace: str, labels: dict | None = None) -> list[dict]:
    return [{"apiVersion": "apps/v1", "kind": "Deployment",
             "metadata": meta(name, namespace, labels=labels or {}), "spec": {"replicas": 1}},
            pod(f"{name}-5c4-0", namespace, [container("main", "img:1", {"cpu": "100m"})],
                owner=("ReplicaSet", f"{name}-5c4"), labels={"pod-template-hash": "5c4"})]


def _snapshot() -> dict:
    items = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": meta("shop", labels={"team": "ns"})},
        {"apiVersion": "v1", "kind": "Namespace",
         "metadata": meta("misc", annotations={"owner": "misc-team"})},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": meta("bare")},
        {"apiVersion": "v1", "kind": "Namespace", "metadata": meta("void")},
    ]
    items += _workload("w-override-place", "shop", {"team": "labelled"})
    items += _workload("w-label", "shop", {"team": "web", "app": "other",
                                           "backstage.io/kubernetes-id": "cart"})
    items += _workload("w-catalog", "shop", {"app.kubernetes.io/name": "inv-k8s"})
    items += _workload("w-ns", "misc")
    items += _workload("w-none", "bare")
    items += _workload("w-void", "void")
    # both selector terms hold: shipping; one term only: not shipping
    items += _workload("ship-web", "void", {"app.kubernetes.io/name": "ship", "tier": "web"})
    items += _workload("ship-db", "void", {"app.kubernetes.io/name": "ship", "tier": "db"})
    # a CronJob's Job is not a workload of its own: its pods count for the CronJob
    items += [{"apiVersion": "batch/v1", "kind": "CronJob", "metadata": meta("nightly", "misc"),
               "spec": {"schedule": "0 2 * * *"}},
              {"apiVersion": "batch/v1", "kind": "Job",
               "metadata": meta("nightly-2901", "misc", owner=("CronJob", "nightly"))},
              pod("nightly-2901-x", "misc", [container("main", "img:1", {"cpu": "100m"})],
                  owner=("Job", "nightly-2901"))]
    items += _workload("legacy-name", "bare", {"team": "label-loses-to-override"})
    return as_list(items)


@pytest.fixture(scope="module")
def identity(tmp_path_factory):
    from fleetscope.warehouse import Warehouse

    folder = tmp_path_factory.mktemp("identity")
    (folder / "catalog-info.yaml").write_text(CATALOG)
    (folder / "overrides.yaml").write_text(OVERRIDES)
    helios = document(
        {"billing-old:1:x": job("billing-old:1:x"),
         "reports:2:y": job("reports:2:y", metadata={"backstage.io/component": "reporting"}),
         "orphan-job:1:z": job("orphan-job:1:z")},
        {"h1": host_status(cpus=4, running=("billing-old:1:x", "reports:2:y",
                                            "orphan-job:1:z"))})
    with Warehouse(folder / "wh.duckdb") as wh:
        wh.load(read_catalog_path(folder / "catalog-info.yaml", collected_at=AT))
        wh.load(read_list(_snapshot(), cluster="prod", collected_at=AT))
        wh.load(read_dump(helios, source="helios", collected_at=AT))
        config = parse_config({"ownership": {"overrides_file": str(folder / "overrides.yaml")}})
        run_migration_models(wh, config)
        yield wh


def test_workload_app_and_team_follow_the_design_order(identity):
    rows = identity.con.execute(
        "select workload_name, app_id, app_source, team, team_source "
        "from int_k8s_workloads_owned order by workload_name").fetchall()
    assert rows == [
        # override file maps the name to billing; the app's team wins over the label and over
        # the namespace-wide rule
        ("legacy-name", "billing", "override", "finance", "override"),
        ("nightly", "nightly", "name", "misc-team", "namespace"),
        ("ship-db", "ship", "label", "__unallocated__", "unallocated"),
        ("ship-web", "shipping", "catalog", "logistics", "catalog"),
        # backstage.io/kubernetes-id=inv-k8s annotation on component inventory; catalog owner
        ("w-catalog", "inventory", "catalog", "stock", "catalog"),
        # backstage.io/kubernetes-id label first; the team label wins over catalog and namespace
        ("w-label", "cart", "label", "web", "label"),
        ("w-none", "w-none", "name", "platform", "override"),
        ("w-ns", "w-ns", "name", "misc-team", "namespace"),
        # a rule naming the workload wins over the label
        ("w-override-place", "w-override-place", "name", "sre", "override"),
        ("w-void", "w-void", "name", "__unallocated__", "unallocated"),
    ]


def test_helios_jobs_map_by_override_metadata_or_name(identity):
    rows = identity.con.execute(
        "select job_name, app_id, app_source, team, team_source from int_helios_jobs_owned "
        "order by job_name").fetchall()
    assert rows == [("billing-old", "billing", "override", "finance", "override"),
                    ("orphan-job", "orphan-job", "name", "__unallocated__", "unallocated"),
                    ("reports", "reporting", "metadata", "data", "catalog")]


def test_identity_gaps(identity):
    rows = identity.con.execute(
        "select gap_kind, platform, object_name, team from mart_identity_gaps "
        "order by gap_kind, object_name, platform").fetchall()
    assert rows == [
        ("component_without_owner", "catalog", "ghost", None),
        ("helios_job_without_component", "helios", "orphan-job:1:z", "__unallocated__"),
        ("team_mismatch", "catalog", "cart", "catalog-team"),
        ("team_mismatch", "kubernetes", "cart", "web"),
        ("workload_without_component", "kubernetes", "nightly", "misc-team"),
        ("workload_without_component", "kubernetes", "ship-db", "__unallocated__"),
        ("workload_without_component", "kubernetes", "w-none", "platform"),
        ("workload_without_component", "kubernetes", "w-ns", "misc-team"),
        ("workload_without_component", "kubernetes", "w-override-place", "sre"),
        ("workload_without_component", "kubernetes", "w-void", "__unallocated__"),
    ]


@pytest.mark.parametrize(("text", "message"), [
    ("apps: [a, b]\n", "apps: expected a mapping"),
    ("apps:\n  x:\n    kubernetes: [a/b/c]\n", r"apps.x.kubernetes\[0\]: expected 'workload'"),
    ("apps:\n  x:\n    helios: [1]\n", r"apps.x.helios\[0\]: expected a non-empty name"),
    ("apps:\n  x:\n    tean: a\n", r"apps.x: unknown key\(s\) \['tean'\]"),
    ("teams:\n  - {team: a}\n", r"teams\[0\]: give 'namespace' and/or 'workload'"),
    ("teams:\n  - {namespace: a}\n", r"teams\[0\]: missing key 'team'"),
    ("apps: {x: [\n", r"overrides.yaml:2: invalid YAML"),
])
def test_bad_override_files_name_the_key(tmp_path, text, message):
    path = tmp_path / "overrides.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError, match=message):
        read_overrides(path)
