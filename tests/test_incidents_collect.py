"""`fleetscope collect incidents` (CSV and JSON), the catalog's repos, and `run`'s plan."""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
from click.testing import CliRunner

from fleetscope.cli import cli
from fleetscope.config import load_config
from fleetscope.ops.sources import plan_sources
from tests.git_repos import commit, init

CSV = """id,service,created,resolved,caused_by
INC-1,checkout,2026-11-03T11:00:00Z,2026-11-03T12:30:00Z,1F3A9C2
INC-2,payments,2026-11-04T08:00:00+01:00,,deploy-77
"""


def _run(warehouse: Path, *args: str) -> None:
    result = CliRunner().invoke(cli, ["-q", "--warehouse", str(warehouse), *args])
    assert result.exit_code == 0, result.output


def test_incidents_csv_then_an_update_replaces_by_id(tmp_path: Path) -> None:
    path, warehouse = tmp_path / "incidents.csv", tmp_path / "wh.duckdb"
    path.write_text(CSV)
    _run(warehouse, "collect", "incidents", "--path", str(path))
    # INC-2 resolved later, in JSON this time: still 2 incidents, INC-2 now resolved
    update = tmp_path / "incidents.json"
    update.write_text(json.dumps({"incidents": [
        {"id": "INC-2", "app": "payments", "created": "2026-11-04T07:00:00Z",
         "resolved": "2026-11-04T09:15:00Z", "caused_by": "deploy-77"}]}))
    _run(warehouse, "collect", "incidents", "--path", str(update))
    _run(warehouse, "transform")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        rows = con.execute(
            "select incident_id, app, strftime(created_at, '%H:%M'), time_to_resolve_hours, "
            "caused_by_sha, caused_by_deploy_id, source_line from stg_incidents "
            "order by incident_id").fetchall()
    assert rows == [
        # 11:00 -> 12:30 is 1.5 h; the sha is lowercased
        ("INC-1", "checkout", "11:00", 1.5, "1f3a9c2", None, 2),
        # 08:00+01:00 = 07:00 UTC -> 09:15 is 2.25 h; JSON position 1
        ("INC-2", "payments", "07:00", 2.25, None, "deploy-77", 1),
    ]


def test_run_plans_git_and_incidents_from_the_config(tmp_path: Path) -> None:
    repo = init(tmp_path / "payments")
    commit(repo, "A", "2026-11-02T09:00:00Z")
    (tmp_path / "incidents.csv").write_text(CSV)
    config = tmp_path / "fleetscope.toml"
    config.write_text('[git]\nrepos = ["payments"]\n\n[incidents]\npath = "incidents.csv"\n')
    planned = plan_sources(load_config(config), tmp_path)
    assert [(s.kind, s.label) for s in planned] == [
        ("git", "git payments"), ("incidents", "incidents incidents.csv")]
    assert planned[0].state_keys == ("git:payments:head", "git:payments:seq")


def test_catalog_annotations_name_the_repos(tmp_path: Path) -> None:
    from fleetscope.ops.sources_git import catalog_repos
    from fleetscope.warehouse import Warehouse

    catalog = tmp_path / "catalog"
    catalog.mkdir()
    docs = []
    for name, annotation in (("checkout", "github.com/project-slug: acme/checkout"),
                             ("payments", "backstage.io/source-location: "
                                          "url:https://github.com/acme/payments/tree/main/"),
                             ("legacy", "backstage.io/kubernetes-id: legacy")):
        docs.append(f"apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n"
                    f"  name: {name}\n  annotations:\n    {annotation}\n"
                    f"spec:\n  type: service\n  lifecycle: production\n  owner: group:team-a\n")
    (catalog / "catalog-info.yaml").write_text("---\n".join(docs))
    warehouse = tmp_path / "wh.duckdb"
    _run(warehouse, "collect", "catalog", "--path", str(catalog), "--collected-at", "2026-11-20")
    with Warehouse(warehouse) as wh:
        # the slug as written; the GitHub URL's org/name; no repo for `legacy`
        assert catalog_repos(wh) == ["acme/checkout", "acme/payments"]
