"""The demo generator: deterministic, shaped as the issue asks, readable by the readers."""

from __future__ import annotations

import re
from collections import Counter
from datetime import date, datetime
from pathlib import Path

import orjson
import pytest
import yaml
from demo_plan import planned_status

from fleetscope.demo.generate import generate
from fleetscope.demo.model import quantity_cpu, quantity_memory
from fleetscope.demo.org import CLUSTERS, build_org

END = date(2026, 11, 23)  # a Monday


def test_org_has_the_shape_the_issue_asks_for() -> None:
    org = build_org(7, 75)
    assert len(org.teams) == 20
    assert len(org.apps) == 250
    assert len({a.app_id for a in org.apps}) == 250
    statuses = Counter(planned_status(a, org.hours) for a in org.apps)
    for status in ("legacy", "migrating", "migrated", "native", "retired"):
        assert statuses[status] > 0, statuses
    # Finished teams have no app left on Helios; not-started teams have nothing migrated.
    by_team: dict[str, Counter] = {}
    for app in org.apps:
        by_team.setdefault(app.team, Counter())[planned_status(app, org.hours)] += 1
    finished = [t for t, p in org.teams.items() if p == "finished"]
    assert finished and all(by_team[t]["legacy"] == by_team[t]["migrating"] == 0
                            for t in finished)
    assert all(by_team[t]["migrated"] == 0 for t, p in org.teams.items() if p == "not-started")
    moved_back = [a for a in org.apps if a.k8s_end is not None and a.helios_end is None]
    assert 1 <= len(moved_back) <= 2
    assert {c for a in org.apps for c in a.clusters} == set(CLUSTERS)


def test_quantities_are_written_as_people_write_them() -> None:
    assert quantity_cpu(0.25) == "250m"
    assert quantity_cpu(2.0) == "2"
    assert quantity_memory(512 * 2**20) == "512Mi"
    assert quantity_memory(8 * 2**30) == "8Gi"


@pytest.fixture(scope="module")
def small(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("demo")
    generate(out, seed=11, days=7, end=END)
    return out


def _files(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file()}


def test_same_seed_writes_identical_files(small: Path, tmp_path: Path) -> None:
    generate(tmp_path, seed=11, days=7, end=END)
    first, second = _files(small / "sources"), _files(tmp_path / "sources")
    assert first.keys() == second.keys()
    assert [k for k in first if first[k] != second[k]] == []
    # 3 clusters x 7 days of Lists and of Prometheus dumps, 7 Helios dumps, 20 teams + org,
    # one bill (the 7 days before END fall in one month), one incidents CSV, one DiRT log, and
    # a git repository per app: 250 x 5 files (config, HEAD, refs/heads/main, a pack and its
    # index).
    kinds = Counter(k.split("/")[0] for k in first)
    assert kinds == {"kubernetes": 21, "prometheus": 21, "helios": 7, "catalog": 21, "billing": 1,
                     "incidents": 1, "dirt": 1, "git": 1250}


def test_another_seed_writes_another_organisation(small: Path, tmp_path: Path) -> None:
    generate(tmp_path, seed=12, days=7, end=END)
    name = "kubernetes/prod-eu/2026-11-22.json"
    assert (small / "sources" / name).read_bytes() != (tmp_path / "sources" / name).read_bytes()


def test_sources_look_like_real_ones(small: Path) -> None:
    items = orjson.loads((small / "sources/kubernetes/prod-us/2026-11-22.json").read_bytes())
    assert items["kind"] == "List"
    kinds = Counter(i["kind"] for i in items["items"])
    for kind in ("Node", "Namespace", "Pod", "Deployment", "ReplicaSet", "StatefulSet",
                 "DaemonSet", "CronJob", "Job", "PersistentVolumeClaim", "PersistentVolume"):
        assert kinds[kind] > 0, kind
    nodes = [i for i in items["items"] if i["kind"] == "Node"]
    types = {n["metadata"]["labels"]["node.kubernetes.io/instance-type"] for n in nodes}
    assert {"c6i.4xlarge", "r6i.2xlarge", "g4dn.xlarge", "m6i.2xlarge"} <= types
    assert all(n["spec"]["providerID"].startswith("aws:///us-east-1") for n in nodes)
    pods = [i for i in items["items"] if i["kind"] == "Pod"]
    assert any("requests" not in c["resources"] for p in pods for c in p["spec"]["containers"])
    assert any("team" not in p["metadata"]["labels"] for p in pods)
    namespaces = [i for i in items["items"] if i["kind"] == "Namespace"]
    assert any("team" not in n["metadata"]["labels"] for n in namespaces)

    helios = orjson.loads((small / "sources/helios/2026-11-22.json").read_bytes())
    job_id, job = next(iter(helios["jobs"].items()))
    _name, version, digest = job_id.split(":")
    # the version is the deployed commit's short sha, which the image tag ends with too
    assert len(digest) == 40 and re.fullmatch(r"[0-9a-f]{7}", version)
    assert job["image"].endswith(f"-{version}")
    assert {h["status"] for h in helios["hosts"].values()} <= {"UP", "DOWN"}

    docs = [d for f in sorted((small / "sources/catalog").glob("*.yaml"))
            for d in yaml.safe_load_all(f.read_text())]
    components = [d for d in docs if d["kind"] == "Component"]
    assert any("owner" not in d["spec"] for d in components)
    assert all(d["spec"]["owner"].startswith("group:") for d in components
               if "owner" in d["spec"])


def test_every_file_reads_through_the_real_readers(small: Path) -> None:
    from fleetscope.collectors.catalog.reader import read_catalog_path
    from fleetscope.collectors.helios.reader import read_dump_file as read_helios
    from fleetscope.collectors.kubernetes.reader import read_list_file
    from fleetscope.collectors.prometheus.reader import read_dump_file as read_prometheus

    at = datetime(2026, 11, 22, 23, 30)
    k8s = read_list_file(small / "sources/kubernetes/prod-eu/2026-11-22.json",
                         cluster="prod-eu", collected_at=at)
    assert len(k8s.tables["raw_k8s_pods"]) > 100
    assert set(k8s.tables["raw_k8s_pods"]["workload_kind"]) >= {
        "Deployment", "StatefulSet", "DaemonSet", "CronJob"}
    prom = read_prometheus(small / "sources/prometheus/staging-eu/2026-11-22.json")
    nodes = prom.tables["raw_prom_node_hours"]
    # Every staging node existing all day has 24 hours of capacity of an m6i.xlarge (4 vCPU).
    full_day = nodes.groupby("node_name")["present_hours"].sum()
    assert (full_day == 24.0).sum() >= 1
    assert set(nodes["cpu_capacity_cores"]) == {4.0}
    helios = read_helios(small / "sources/helios/2026-11-22.json", source="helios",
                         collected_at=at)
    assert "env" not in helios.tables["raw_helios_jobs"].columns
    catalog = read_catalog_path(small / "sources/catalog", collected_at=at)
    kinds = Counter(catalog.tables["raw_catalog_entities"]["kind"])
    assert kinds["Group"] == 21 and kinds["Component"] >= 240
