"""The four keys from a real git repository, three deploys and one incident, worked by hand.

History of acme/checkout (committer times, UTC), collected by `fleetscope collect git`:

    A (Nov 2 09:00) - B (Nov 3 10:00) ---------- M (Nov 5 12:00) - C (Nov 6 08:00) - D (Nov 9 09:00)
                       \\- F (Nov 4 06:00) ---/
    seq A=1, B=2, M=3 (merge: brings F in), C=4, D=5

Deploys of app `web` (team checkout; Deployment shop/web, repo from the override file):

    rev 1 Nov 3 12:00  image web:v1.2-<B[:7]>        first deploy: ships B only   B 2 h
    rev 2 Nov 5 14:00  image web:stable, Deployment annotation app.kubernetes.io/version <M[:10]>
                                                     seq (2, 3]: M and F          M 2 h, F 32 h
    rev 3 Nov 9 10:00  image registry:5000/web:<D>   seq (3, 5]: C and D          C 74 h, D 1 h

plus `api` (team platform), rev 1 Nov 3 08:00, image api:latest: no sha, unknown lead time.
Incident INC-9 caused_by D[:8], created Nov 9 11:00, resolved 15:30: rev 3 failed, 4.5 h.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner
from test_deploys_history import deployment, replicaset

from fleetscope.cli import cli
from fleetscope.collectors.kubernetes.reader import read_list
from fleetscope.errors import EXIT_CODES
from fleetscope.warehouse import Warehouse
from tests.git_repos import commit, git, init


def _run(warehouse: Path, *args: str) -> None:
    result = CliRunner().invoke(cli, ["-q", "--warehouse", str(warehouse), *args])
    assert result.exit_code == 0, result.output


# web's slug is overridden by the override file; api's repository comes from its source-location
CATALOG = """\
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: web
  annotations: {github.com/project-slug: acme/old-web}
spec: {type: service, lifecycle: production, owner: group:checkout}
---
apiVersion: backstage.io/v1alpha1
kind: Component
metadata:
  name: api
  annotations: {backstage.io/source-location: "url:https://github.com/acme/api-svc/tree/main/"}
spec: {type: service, lifecycle: production, owner: group:platform}
"""


def _repo(tmp_path: Path) -> dict[str, str]:
    repo = init(tmp_path / "checkout")
    shas = {
        "A": commit(repo, "A", "2026-11-02T09:00:00Z"),
        "B": commit(repo, "B", "2026-11-03T10:00:00Z"),
    }
    git(repo, "checkout", "-q", "-b", "feature")
    shas["F"] = commit(repo, "F", "2026-11-04T06:00:00Z")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "M", "feature", when="2026-11-05T12:00:00Z")
    shas["M"] = git(repo, "rev-parse", "HEAD")
    shas["C"] = commit(repo, "C", "2026-11-06T08:00:00Z")
    shas["D"] = commit(repo, "D", "2026-11-09T09:00:00Z")
    git(repo, "remote", "add", "origin", "git@github.com:acme/checkout.git")
    return shas


def _snapshot(web: list[tuple[int, str, datetime]], version: str) -> dict:
    web_deployment = deployment("web", "shop", {"app": "web", "team": "checkout"})
    web_deployment["metadata"]["annotations"] = {"app.kubernetes.io/version": version}
    items = [
        web_deployment,
        deployment("api", "shop", {"app": "api", "team": "platform"}),
        replicaset("api-1", "shop", "api", 1, "api:latest", datetime(2026, 11, 3, 8)),
    ]
    items += [
        replicaset(f"web-{rev}", "shop", "web", rev, image, created) for rev, image, created in web
    ]
    return {"apiVersion": "v1", "kind": "List", "items": items}


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("delivery")
    shas = _repo(tmp)
    warehouse = tmp / "wh.duckdb"
    _run(warehouse, "collect", "git", "--repo", str(tmp / "checkout"))
    revs = [
        (1, f"web:v1.2-{shas['B'][:7]}", datetime(2026, 11, 3, 12)),
        (2, "web:stable", datetime(2026, 11, 5, 14)),
        (3, f"registry:5000/web:{shas['D']}", datetime(2026, 11, 9, 10)),
    ]
    with Warehouse(warehouse) as wh:
        # the Deployment's version annotation names rev 2's commit in the Nov 5 snapshot
        for day, count, version in ((3, 1, "B"), (5, 2, "M"), (9, 3, "D")):
            wh.load(
                read_list(
                    _snapshot(revs[:count], shas[version][:10]),
                    cluster="prod",
                    collected_at=datetime(2026, 11, day, 18),
                )
            )
    (tmp / "incidents.csv").write_text(
        "id,app,created,resolved,caused_by\n"
        f"INC-9,web,2026-11-09T11:00:00Z,2026-11-09T15:30:00Z,{shas['D'][:8]}\n"
    )
    _run(warehouse, "collect", "incidents", "--path", str(tmp / "incidents.csv"))
    (tmp / "catalog").mkdir()
    (tmp / "catalog" / "catalog-info.yaml").write_text(CATALOG)
    _run(
        warehouse,
        "collect",
        "catalog",
        "--path",
        str(tmp / "catalog"),
        "--collected-at",
        "2026-11-09T18:00:00Z",
    )
    (tmp / "owners.yaml").write_text("apps:\n  web:\n    repo: acme/checkout\n")
    (tmp / "config.toml").write_text(f"[ownership]\noverrides_file = '{tmp / 'owners.yaml'}'\n")
    _run(warehouse, "--config", str(tmp / "config.toml"), "transform")
    return warehouse


def _query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_lead_times_per_deploy_follow_the_first_parent_path(built: Path) -> None:
    rows = _query(
        built,
        "select s.revision_key, s.sha_source, l.lead_time_hours "
        "from int_deploy_lead_times as l join int_deploy_shas as s using "
        "(deploy_id) order by s.revision_key, l.lead_time_hours",
    )
    # rev 1: B 12:00-10:00 = 2; rev 2: M 14:00-12:00 = 2, F Nov 5 14:00 - Nov 4 06:00 = 32;
    # rev 3: D 10:00-09:00 = 1, C Nov 9 10:00 - Nov 6 08:00 = 72 + 2 = 74
    assert rows == [
        ("1", "image_tag", 2.0),
        ("2", "annotations", 2.0),
        ("2", "annotations", 32.0),
        ("3", "image_tag", 1.0),
        ("3", "image_tag", 74.0),
    ]


def test_weekly_four_keys_equal_the_hand_computation(built: Path) -> None:
    rows = _query(
        built,
        "select iso_week, app_id, team, count_deploys, "
        "count_deploys_unknown_lead_time, count_commits, "
        "lead_time_median_hours, round(lead_time_p90_hours, 6), "
        "count_failed_deploys, change_failure_rate, recovery_median_hours "
        "from mart_delivery_weekly order by iso_week, app_id",
    )
    assert rows == [
        # api: one deploy whose image carries no sha
        ("2026-W45", "api", "platform", 1, 1, 0, None, None, 0, 0.0, None),
        # week of Nov 2: leads [2, 2, 32]: median 2; p90 at 0.9 x 2 = 1.8: 2 + 0.8 x 30 = 26
        ("2026-W45", "web", "checkout", 2, 0, 3, 2.0, 26.0, 0, 0.0, None),
        # week of Nov 9: leads [1, 74]: median 37.5; p90 at 0.9: 1 + 0.9 x 73 = 66.7;
        # rev 3 named by INC-9: 1 / 1 failed, recovery 11:00 -> 15:30 = 4.5 h
        ("2026-W46", "web", "checkout", 1, 0, 2, 37.5, 66.7, 1, 1.0, 4.5),
    ]


def test_four_keys_buckets_over_the_trailing_weeks(built: Path) -> None:
    rows = _query(
        built,
        "select count_weeks, count_deploys, deployment_frequency, "
        "deployment_frequency_bucket, lead_time_median_hours, lead_time_bucket, "
        "round(change_failure_rate, 4), change_failure_bucket, "
        "recovery_median_hours, recovery_bucket from mart_delivery_buckets "
        "where team = 'checkout' and iso_week = '2026-W46'",
    )
    # weeks W45 (days deployed: Nov 3, Nov 5 = 2) and W46 (1): median days 1.5 < 3, median
    # week_deployed 1 >= 1 -> weekly (high); leads [1, 2, 2, 32, 74]: median 2 h < 24 (elite);
    # 1 failed of 3 = 33.3 % in (30 %, 46 %) (medium); recovery 4.5 h < 24 (elite)
    assert rows == [(2, 3, "weekly", "high", 2.0, "elite", 0.3333, "medium", 4.5, "elite")]


def test_app_repositories_from_the_override_then_the_catalog(built: Path) -> None:
    rows = _query(built, "select app_id, repo, repo_source from int_app_repos order by app_id")
    assert rows == [("api", "acme/api-svc", "catalog"), ("web", "acme/checkout", "override")]


def test_an_override_repo_that_is_no_org_name_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "owners.yaml").write_text("apps:\n  web:\n    repo: checkout\n")
    (tmp_path / "config.toml").write_text(
        f"[ownership]\noverrides_file = '{tmp_path / 'owners.yaml'}'\n"
    )
    result = CliRunner().invoke(
        cli,
        [
            "--warehouse",
            str(tmp_path / "wh.duckdb"),
            "--config",
            str(tmp_path / "config.toml"),
            "transform",
        ],
    )
    assert EXIT_CODES[result.exit_code][0] == "ConfigError", result.output
    assert "apps.web.repo: expected 'org/name', got 'checkout'" in result.output
