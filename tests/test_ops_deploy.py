"""Kubernetes manifests: the CronJob runs `fleetscope run` with the read-only service account,
the PVC and a config that fleetscope itself accepts."""

from __future__ import annotations

import tomllib
from pathlib import Path

import yaml

from fleetscope.config import parse_config

DEPLOY = Path(__file__).resolve().parent.parent / "deploy"


def _objects(name: str) -> list[dict]:
    return [d for d in yaml.safe_load_all((DEPLOY / name).read_text()) if d]


def _by_kind() -> dict[str, dict]:
    kustomization = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())
    found: dict[str, dict] = {}
    for name in kustomization["resources"]:
        for obj in _objects(name):
            found[f"{obj['kind']}/{obj['metadata']['name']}"] = obj
    return found


def test_kustomization_lists_every_manifest() -> None:
    kustomization = yaml.safe_load((DEPLOY / "kustomization.yaml").read_text())
    on_disk = {p.name for p in DEPLOY.glob("*.yaml")} - {"kustomization.yaml"}
    assert set(kustomization["resources"]) == on_disk


def test_cronjob_wires_service_account_pvc_and_config() -> None:
    objects = _by_kind()
    cron = objects["CronJob/fleetscope-run"]
    pod = cron["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    assert cron["spec"]["concurrencyPolicy"] == "Forbid"
    assert f"ServiceAccount/{pod['serviceAccountName']}" in objects
    binding = objects["ClusterRoleBinding/fleetscope-read-only"]
    assert binding["subjects"][0]["name"] == pod["serviceAccountName"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert f"PersistentVolumeClaim/{volumes['data']['persistentVolumeClaim']['claimName']}" \
        in objects
    container = pod["containers"][0]
    assert container["command"][-1] == "run"
    config_path = Path(container["command"][container["command"].index("--config") + 1])
    mounts = {m["mountPath"]: m["name"] for m in container["volumeMounts"]}
    assert mounts[str(config_path.parent)] == "config"
    configmap = objects[f"ConfigMap/{volumes['config']['configMap']['name']}"]
    config = parse_config(tomllib.loads(configmap["data"][config_path.name]),
                          source="deploy/cronjob.yaml")
    # The warehouse and the reports live on the PVC, the collector uses the service account.
    assert config.warehouse.path.startswith(mounts_for(mounts, "data"))
    assert config.reports.out_dir.startswith(mounts_for(mounts, "data"))
    assert config.kubernetes.in_cluster is True


def mounts_for(mounts: dict[str, str], volume: str) -> str:
    return next(path for path, name in mounts.items() if name == volume) + "/"


def test_every_namespaced_object_is_in_the_fleetscope_namespace() -> None:
    for key, obj in _by_kind().items():
        if obj["kind"] not in ("Namespace", "ClusterRole", "ClusterRoleBinding"):
            assert obj["metadata"].get("namespace") == "fleetscope", key


def test_no_secrets_or_configmaps_readable_through_the_api() -> None:
    role = _by_kind()["ClusterRole/fleetscope-read-only"]
    for rule in role["rules"]:
        assert not {"secrets", "configmaps", "*"} & set(rule["resources"])
        assert set(rule["verbs"]) <= {"get", "list", "watch"}


def test_reports_server_is_read_only_and_serves_the_cronjobs_reports() -> None:
    objects = _by_kind()
    server = objects["Deployment/fleetscope-reports"]
    pod = server["spec"]["template"]["spec"]
    assert pod["automountServiceAccountToken"] is False
    assert pod["securityContext"]["runAsNonRoot"] is True
    container = pod["containers"][0]
    assert container["image"].startswith("docker.io/nginxinc/nginx-unprivileged:")
    assert container["securityContext"]["readOnlyRootFilesystem"] is True
    assert container["securityContext"]["allowPrivilegeEscalation"] is False
    volumes = {v["name"]: v for v in pod["volumes"]}
    html = next(m for m in container["volumeMounts"] if m["mountPath"] == "/usr/share/nginx/html")
    assert html["readOnly"] is True and volumes[html["name"]]["persistentVolumeClaim"] == {
        "claimName": "fleetscope-data", "readOnly": True}
    # Every other mount is the scratch emptyDir nginx writes its pid and temp files to.
    others = [m for m in container["volumeMounts"] if m is not html]
    assert [volumes[m["name"]].get("emptyDir") is not None for m in others] == [True]
    # The subPath is the CronJob's reports folder on the same PVC.
    cron = objects["CronJob/fleetscope-run"]["spec"]["jobTemplate"]["spec"]["template"]["spec"]
    configmap = objects["ConfigMap/fleetscope-config"]["data"]["fleetscope.toml"]
    out_dir = parse_config(tomllib.loads(configmap)).reports.out_dir
    data_mount = next(m for m in cron["containers"][0]["volumeMounts"] if m["name"] == "data")
    assert out_dir == f"{data_mount['mountPath']}/{html['subPath']}"
    # The Service reaches the pod's named port; the CronJob runs on the server's node (RWO).
    service = objects["Service/fleetscope-reports"]
    assert service["spec"]["selector"] == server["spec"]["selector"]["matchLabels"]
    assert service["spec"]["ports"][0]["targetPort"] == container["ports"][0]["name"]
    term = cron["affinity"]["podAffinity"]["requiredDuringSchedulingIgnoredDuringExecution"][0]
    assert term["labelSelector"]["matchLabels"] == server["spec"]["selector"]["matchLabels"]
