"""`fleetscope demo` end to end on two weeks: files -> readers -> warehouse -> marts -> HTML."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from demo_plan import planned_status

from fleetscope.cli import cli
from fleetscope.demo.org import build_org

END = date(2026, 11, 23)  # a Monday: the data ends with the complete ISO week 2026-W47
DAYS = 14

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from click.testing import CliRunner

    out = tmp_path_factory.mktemp("demo")
    result = CliRunner().invoke(cli, ["demo", "--out", str(out), "--days", str(DAYS),
                                      "--end", END.isoformat(), "--no-team-reports"])
    assert result.exit_code == 0, result.output
    assert f"Open {out.resolve() / 'reports' / 'index.html'}" in result.output
    return out


def test_reports_are_on_disk(demo_out: Path) -> None:
    assert (demo_out / "reports" / "index.html").is_file()
    leadership = demo_out / "reports" / "2026-W47" / "leadership.html"
    assert leadership.is_file()
    assert "2026-W47" in (demo_out / "reports" / "index.html").read_text(encoding="utf-8")


def test_design_invariants_hold_on_the_demo_data(demo_out: Path) -> None:
    from fleetscope.pipelines.invariants import check_invariants
    from fleetscope.warehouse import connect_read_only

    con = connect_read_only(demo_out / "warehouse.duckdb")
    try:
        assert check_invariants(con) == []
        # Every cluster has cost on every day of the window.
        rows = con.execute("select cluster, count(distinct cost_date) from mart_team_cost_daily "
                           "where cluster in ('prod-eu', 'prod-us', 'staging-eu') "
                           "group by cluster order by cluster").fetchall()
    finally:
        con.close()
    assert rows == [("prod-eu", DAYS), ("prod-us", DAYS), ("staging-eu", DAYS)]


def test_migration_status_of_every_app_is_the_planned_one(demo_out: Path) -> None:
    from fleetscope.warehouse import connect_read_only

    org = build_org(7, DAYS, first_weekday=date(2026, 11, 9).weekday())
    con = connect_read_only(demo_out / "warehouse.duckdb")
    try:
        got = dict(con.execute(
            "select app_id, status from mart_app_migration_status where status_date = ?",
            [date(2026, 11, 22)]).fetchall())
    finally:
        con.close()
    renamed = {a.app_id for a in org.apps if a.k8s_name.endswith("-v2")}  # the mapping gap
    planned = {a.app_id: planned_status(a, org.hours) for a in org.apps if a.app_id not in renamed}
    expected = {app_id: "retired" if status == "gone" else status
                for app_id, status in planned.items()}
    assert {k: got.get(k) for k in expected if got.get(k) != expected[k]} == {}


def test_an_unwritable_out_is_a_clear_error(tmp_path: Path) -> None:
    from click.testing import CliRunner

    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = CliRunner().invoke(cli, ["demo", "--out", str(blocker / "demo"), "--days", "7"])
    assert result.exit_code == 1
    assert f"Error: --out {blocker / 'demo'}: cannot write there" in result.output
    assert not (tmp_path / "warehouse.duckdb").exists()


def test_helios_env_secrets_never_reach_the_warehouse_or_reports(demo_out: Path) -> None:
    from fleetscope.warehouse import connect_read_only

    secret = "demo-not-a-real-secret"  # the DB_PASSWORD the demo's Helios jobs carry in env
    assert secret.encode() in next((demo_out / "sources" / "helios").glob("*.json")).read_bytes()
    con = connect_read_only(demo_out / "warehouse.duckdb")
    try:
        columns = con.execute(
            "select table_name, column_name from information_schema.columns c "
            "join information_schema.tables t using (table_schema, table_name) "
            "where t.table_type = 'BASE TABLE' and data_type in ('VARCHAR', 'JSON')").fetchall()
        hits = [(t, c) for t, c in columns if con.execute(
            f'select count(*) from "{t}" where cast("{c}" as varchar) like ?',
            [f"%{secret}%"]).fetchone()[0]]
    finally:
        con.close()
    assert hits == []
    assert not [p for p in (demo_out / "reports").rglob("*.html")
                if secret in p.read_text(encoding="utf-8")]


def test_the_demo_bill_is_loaded_and_reconciles(demo_out: Path) -> None:
    """Every demo node has a providerID and every StatefulSet PV a CSI volumeHandle that the bill
    names, so all node-days and volume-days match; per cluster the reconciled team cost adds up
    to the bill; gp3 at 0.08 a GiB-month is twice the default 0.04, so volumes bill 2x."""
    from fleetscope.warehouse import connect_read_only

    con = connect_read_only(demo_out / "warehouse.duckdb")
    try:
        coverage = con.execute(
            "select cluster, sum(count_nodes), sum(count_nodes_matched), sum(count_volumes),"
            " sum(count_volumes_matched), sum(billed_volume_cost) / sum(modelled_volume_cost),"
            " sum(billed_node_cost + billed_volume_cost) from mart_billing_reconciliation_daily"
            " group by cluster order by cluster").fetchall()
        reconciled = dict(con.execute(
            "select cluster, sum(reconciled_cost) from mart_team_cost_daily "
            "group by cluster").fetchall())
        loads = con.execute("select count(*) from loads where source_kind = 'billing' "
                            "and status = 'succeeded'").fetchone()
    finally:
        con.close()
    assert [c[0] for c in coverage] == ["prod-eu", "prod-us", "staging-eu"]
    for cluster, nodes, nodes_matched, volumes, volumes_matched, ratio, billed in coverage:
        assert nodes > 0 and nodes_matched == nodes
        assert volumes > 0 and volumes_matched == volumes
        assert ratio == pytest.approx(2.0, rel=1e-6)
        assert reconciled[cluster] == pytest.approx(billed, abs=0.01)
    assert loads == (1,)  # the 14 days to 2026-11-23 lie in one billing month: November


def test_commits_and_incidents_reach_the_warehouse(demo_out: Path) -> None:
    import csv

    from fleetscope.warehouse import connect_read_only

    repos = sorted((demo_out / "sources" / "git" / "example").iterdir())
    incidents = list(csv.DictReader((demo_out / "sources" / "incidents" / "incidents.csv").open()))
    con = connect_read_only(demo_out / "warehouse.duckdb")
    try:
        commits = con.execute("select count(distinct repo), count(*) from raw_git_commits"
                              ).fetchone()
        loaded = con.execute("select count(*) from raw_incidents").fetchone()
        # every deployed image's short sha is a commit of its app's repository
        unknown = con.execute(
            "select count(*) from stg_k8s_replicasets r where not exists (select 1 from "
            "raw_git_commits c where c.sha like "
            "regexp_extract(r.images_key, '-([0-9a-f]{7})\"', 1) || '%')").fetchone()
    finally:
        con.close()
    assert len(repos) == 250  # one per app
    assert commits is not None and commits[0] == 250 and commits[1] > 250
    assert loaded == (len(incidents),) and len(incidents) == 7  # 6 caused by a deploy, 1 not
    assert unknown == (0,)
