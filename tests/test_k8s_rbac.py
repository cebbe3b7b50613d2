"""deploy/rbac.yaml grants exactly get and list on the registry's kinds, and covers every request
the collector makes, nothing more."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from k8s_fake_api import RESOURCES, VELERO_PATHS, FakeKubeAPI, write_kubeconfig
from k8s_objects import sample_items

from fleetscope.collectors.kubernetes.kinds import KINDS, VERBS
from fleetscope.collectors.kubernetes.live import collect_cluster
from fleetscope.config import parse_config

MANIFEST = Path(__file__).resolve().parent.parent / "deploy" / "rbac.yaml"
READ_VERBS = {"get", "list"}  # the collector lists; it never watches


def _documents() -> dict[str, dict]:
    return {doc["kind"]: doc for doc in yaml.safe_load_all(MANIFEST.read_text())}


def _rules() -> set[tuple[str, str, str]]:
    """(apiGroup, resource, verb) triples the ClusterRole grants."""
    granted = set()
    for rule in _documents()["ClusterRole"]["rules"]:
        for group in rule["apiGroups"]:
            for resource in rule["resources"]:
                for verb in rule["verbs"]:
                    granted.add((group, resource, verb))
    return granted


def _needed(method: str, path: str, query: dict[str, str]) -> tuple[str, str, str]:
    """What RBAC attribute a request needs, as the API server's request-info resolver says."""
    match = re.fullmatch(r"/apis?(?:/(?P<group>[a-z.]+))?/v1(?:/namespaces/[^/]+)?"
                         r"/(?P<resource>[a-z]+)(?P<name>/[^/]+)?", path)
    assert match, f"unexpected request path {path}"
    group = match["group"] or ""
    if method != "GET":
        verb = method.lower()
    elif match["name"]:
        verb = "get"
    else:
        verb = "watch" if query.get("watch") in ("true", "1") else "list"
    return group, match["resource"], verb


def test_manifest_is_read_only_without_secrets_or_configmaps():
    granted = _rules()
    assert set(VERBS) == READ_VERBS
    resources = {resource for _, resource, _ in granted}
    assert not resources & {"secrets", "configmaps", "*"}
    assert all(group != "*" for group, _, _ in granted)
    # Exactly get and list on each kind of the registry, nothing else.
    assert granted == {(k.group, k.plural, verb) for k in KINDS for verb in VERBS}
    # ... which is also the table the fake API server serves.
    assert {(g, r) for g, r, _ in granted} == {(g, r) for _, g, r in RESOURCES.values()}


def test_service_account_is_bound_to_the_role():
    docs = _documents()
    account = docs["ServiceAccount"]["metadata"]
    binding = docs["ClusterRoleBinding"]
    assert binding["roleRef"] == {"apiGroup": "rbac.authorization.k8s.io",
                                  "kind": "ClusterRole",
                                  "name": docs["ClusterRole"]["metadata"]["name"]}
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": account["name"],
                                    "namespace": account["namespace"]}]


@pytest.mark.parametrize("without_velero", [False, True])
def test_every_request_of_a_collection_is_allowed(tmp_path, without_velero):
    # Also on a cluster without the Velero CRDs (404): the collector still asks for nothing
    # the role does not grant.
    with FakeKubeAPI(without_velero=without_velero).add(sample_items()) as api:
        api.fail("/api/v1/pods", 410, page=1)  # a restarted list must stay inside too
        kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", {"prod": (api.url, api.token)})
        settings = parse_config({"kubernetes": {"kubeconfig": str(kubeconfig),
                                                "page_size": 2}}).kubernetes
        batch = collect_cluster(settings, context="prod")
    granted = _rules()
    needed = {_needed(r.method, r.path, r.query) for r in api.requests}
    assert needed <= granted, needed - granted
    assert len(needed) == len(RESOURCES)  # every resource was listed
    assert {r.path for r in api.requests} >= VELERO_PATHS  # through CustomObjectsApi
    installs = batch.tables["raw_velero_installs"]
    assert installs["velero_installed"].tolist() == [not without_velero]
    assert len(batch.tables["raw_velero_backups"]) == (0 if without_velero else 1)


def test_collect_kubernetes_help_comes_from_the_registry(cli_runner):
    from fleetscope.cli import cli
    from fleetscope.collectors.kubernetes.kinds import kubectl_command

    result = cli_runner.invoke(cli, ["collect", "kubernetes", "--help"])
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert ", ".join(k.plural for k in KINDS) in text
    assert kubectl_command() in text
    assert "{kinds}" not in text and "{kubectl}" not in text


def test_every_kind_of_the_registry_is_read_from_a_list():
    from fleetscope.collectors.kubernetes.reader import read_list
    from fleetscope.warehouse import utc_now

    batch = read_list({"kind": "List", "items": sample_items()}, cluster="prod",
                      collected_at=utc_now())
    kinds = {item["kind"] for item in sample_items()}
    assert kinds - {k.kind for k in KINDS} == {"Service"}  # not collected: skipped
    assert all(len(frame) for frame in batch.tables.values())  # every kind gave rows
