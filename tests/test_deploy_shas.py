"""`int_deploy_shas` on hand-made inputs: which source wins, digests, Helios versions, ambiguity.

The model SQL runs on a real DuckDB file over hand-written upstream tables. Repo acme/web has
three commits: 1f3a9c2e..., 1f3a9c2f... (the 7-hex prefix 1f3a9c2 is ambiguous) and beef0001....
"""

from __future__ import annotations

from pathlib import Path

import duckdb

MODEL = Path(__file__).resolve().parent.parent / "pipelines/models/intermediate/int_deploy_shas.sql"
SHAS = ["1f3a9c2e" + "0" * 32, "1f3a9c2f" + "0" * 32, "beef0001" + "0" * 32]


def _build(tmp_path: Path) -> list[tuple]:
    con = duckdb.connect(str(tmp_path / "wh.duckdb"))
    con.execute(
        "create table int_deploy_events (platform varchar, source_name varchar, namespace varchar,"
        " workload_name varchar, revision_key varchar, revision_number integer, deployed_at"
        " timestamp, deploy_date date, app_id varchar, team varchar, images_key varchar,"
        " is_rollback boolean)"
    )
    rows = [
        # sidecar first, then the app's image with an upper-case sha and a digest
        (
            "kubernetes",
            "prod",
            "shop",
            "web",
            "1",
            '["envoy:1.30", "reg:5000/web:v1.2-BEEF0001@sha256:' + "a" * 64 + '"]',
        ),
        ("helios", "hel", None, "web", "web:1f3a9c2e:h1", "web:latest"),  # version resolves
        ("helios", "hel", None, "web", "web:1f3a9c2:h2", "web:latest"),  # ambiguous prefix
    ]
    for platform, source, ns, name, rev, images in rows:
        con.execute(
            "insert into int_deploy_events values (?, ?, ?, ?, ?, 1, timestamp '2026-11-03 12:00',"
            " date '2026-11-03', 'web', 't', ?, false)",
            [platform, source, ns, name, rev, images],
        )
    con.execute("create table int_app_repos as select 'web' as app_id, 'acme/web' as repo")
    con.execute(
        "create table int_git_commits_shipped_with as select 'acme/web' as repo, sha as"
        " commit_sha, i as first_parent_seq, i as ship_seq, timestamp '2026-11-01' as"
        " committed_at from unnest(?) with ordinality as t(sha, i)",
        [SHAS],
    )
    con.execute(
        "create table stg_k8s_workloads (cluster varchar, namespace varchar, workload_kind"
        " varchar, workload_name varchar, collected_at timestamp, annotations json)"
    )
    con.execute(
        "create table ref_delivery_sha_sources as select * from (values ('image_tag', 0),"
        " ('annotations', 1), ('helios_version', 2)) as t(sha_source, priority)"
    )
    con.execute(
        "create table ref_delivery_annotations as select 'app.kubernetes.io/version' as"
        " annotation_key, 0 as priority"
    )
    return con.execute(
        f"select deploy_id, sha_source, sha_text, left(commit_sha, 8), is_sha_resolved "
        f"from ({MODEL.read_text()}) order by deploy_id"
    ).fetchall()


def test_sha_sources_digest_helios_version_and_ambiguity(tmp_path: Path) -> None:
    assert _build(tmp_path) == [
        # 1f3a9c2 starts two commits: kept as read, unresolved (unknown lead time)
        ("hel/web:1f3a9c2:h2", "helios_version", "1f3a9c2", None, False),
        # version 1f3a9c2e: 8 hex, one commit starts with it
        ("hel/web:1f3a9c2e:h1", "helios_version", "1f3a9c2e", "1f3a9c2e", True),
        # envoy:1.30 has no sha; reg:5000/web:v1.2-BEEF0001@sha256:... -> tag v1.2-beef0001
        ("prod/shop/web:1", "image_tag", "beef0001", "beef0001", True),
    ]
