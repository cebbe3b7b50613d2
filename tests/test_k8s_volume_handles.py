"""A PersistentVolume's disk id (raw_k8s_pvs.volume_handle), as bills name it: the CSI handle,
else the in-tree AWS / GCE / Azure id, kept as written; through the List reader and the live
page decoder alike."""

from __future__ import annotations

import json
from datetime import datetime

from k8s_objects import as_list

from fleetscope.collectors.kubernetes.decode import decode_page
from fleetscope.collectors.kubernetes.reader import read_list

AZURE_DISK = "/subscriptions/0000/resourceGroups/MC_rg/providers/Microsoft.Compute/disks/pvc-azure"


def _pv(name: str, source: dict) -> dict:
    # the shape `kubectl get pv -o json` prints for a dynamically provisioned volume
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": name, "uid": f"uid-{name}"},
        "spec": {
            "storageClassName": "gp3",
            "capacity": {"storage": "10Gi"},
            "accessModes": ["ReadWriteOnce"],
            "persistentVolumeReclaimPolicy": "Delete",
            "claimRef": {"namespace": "store", "name": f"data-{name}"},
            **source,
        },
        "status": {"phase": "Bound"},
    }


PVS = [
    _pv(
        "csi",
        {"csi": {"driver": "ebs.csi.aws.com", "fsType": "ext4", "volumeHandle": "vol-0abc123"}},
    ),
    _pv(
        "aws-intree",
        {"awsElasticBlockStore": {"volumeID": "aws://us-east-1a/vol-0def456", "fsType": "ext4"}},
    ),
    _pv("gce-intree", {"gcePersistentDisk": {"pdName": "gke-disk-1", "fsType": "ext4"}}),
    _pv(
        "azure-intree",
        {"azureDisk": {"diskName": "pvc-azure", "diskURI": AZURE_DISK, "kind": "Managed"}},
    ),
    _pv("nfs", {"nfs": {"server": "10.0.0.2", "path": "/exports"}}),
]
EXPECTED = {
    "csi": "vol-0abc123",
    "aws-intree": "aws://us-east-1a/vol-0def456",
    "gce-intree": "gke-disk-1",
    "azure-intree": AZURE_DISK,
    "nfs": None,
}


def test_the_list_reader_keeps_each_volume_handle_as_written() -> None:
    tables = read_list(
        as_list(PVS), cluster="c1", collected_at=datetime(2026, 11, 2), origin="pvs.json"
    ).tables
    pvs = tables["raw_k8s_pvs"].set_index("pv_name")["volume_handle"]
    assert {k: (v if isinstance(v, str) else None) for k, v in pvs.items()} == EXPECTED


def test_live_pages_keep_the_volume_sources_the_handle_comes_from() -> None:
    body = json.dumps({"items": PVS}).encode()
    items, _ = decode_page("PersistentVolume", body, where="GET persistentvolumes")
    specs = {i["metadata"]["name"]: i["spec"] for i in items}
    assert specs["csi"]["csi"]["volumeHandle"] == "vol-0abc123"
    assert specs["aws-intree"]["awsElasticBlockStore"]["volumeID"] == EXPECTED["aws-intree"]
    assert specs["gce-intree"]["gcePersistentDisk"]["pdName"] == "gke-disk-1"
    assert specs["azure-intree"]["azureDisk"]["diskURI"] == AZURE_DISK
    assert "nfs" not in specs["nfs"]  # not a cloud disk: the page decoder drops it
