"""The Backstage catalog API collector against a catalog served over HTTP by the test."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs, urlsplit

import pytest
from backstage_fake_api import entity, serve

from fleetscope.cli import cli
from fleetscope.collectors.catalog.client import fetch_catalog, fetch_entities
from fleetscope.errors import CollectError

ENTITIES = (
    [entity("Component", f"svc-{i}", owner="group:default/payments",
            annotations={"backstage.io/kubernetes-id": f"k-{i}"}) for i in range(5)]
    + [entity("Group", "payments"), entity("System", "money", owner="payments"),
       entity("API", "not-collected", owner="payments")]
)


def test_cursor_pages_are_followed_and_only_wanted_kinds_asked():
    with serve(ENTITIES) as server:
        items, pages = fetch_entities(server.url, page_size=2)
    assert pages == 4  # 7 entities of the three kinds, 2 per page
    assert sorted(i["metadata"]["name"] for i in items) == [
        "money", "payments", "svc-0", "svc-1", "svc-2", "svc-3", "svc-4"]
    first = parse_qs(urlsplit(server.requests[0]).query)
    assert first["filter"] == ["kind=component", "kind=group", "kind=system"]
    assert all("cursor=" in r and "filter=" not in r for r in server.requests[1:])


def test_rows_match_the_file_reader(warehouse):
    with serve(ENTITIES) as server:
        batch = fetch_catalog(server.url, token=None, source="backstage",
                              collected_at=datetime(2026, 11, 20), page_size=3)
    warehouse.load(batch)
    rows = warehouse.con.execute(
        "select kind, entity_name, owner, kubernetes_id from raw_catalog_entities "
        "where entity_name in ('svc-3', 'money') order by 1").fetchall()
    assert rows == [("Component", "svc-3", "group:default/payments", "k-3"),
                    ("System", "money", "payments", None)]


def test_bearer_token_is_sent_and_a_wrong_one_is_named_not_shown():
    with serve(ENTITIES, token="t0ken") as server:
        items, _ = fetch_entities(server.url, token="t0ken")
        assert len(items) == 7 and server.auth_headers == ["Bearer t0ken"]
        with pytest.raises(CollectError, match=r"HTTP 401 \(check catalog.token_env\)") as exc:
            fetch_entities(server.url, token="wrong-secret")
    assert "wrong-secret" not in str(exc.value)


def test_cli_reads_the_token_from_the_configured_variable(tmp_path, cli_runner,
                                                          warehouse_path, monkeypatch):
    config = tmp_path / "fleetscope.toml"
    config.write_text('[catalog]\ntoken_env = "BACKSTAGE_TOKEN"\n')
    monkeypatch.setenv("BACKSTAGE_TOKEN", "t0ken")
    with serve(ENTITIES, token="t0ken") as server:
        result = cli_runner.invoke(cli, ["--warehouse", str(warehouse_path), "--config",
                                         str(config), "collect", "catalog", "--url",
                                         server.url])
    assert result.exit_code == 0, result.output
    from fleetscope.warehouse import connect_read_only

    con = connect_read_only(warehouse_path)
    count = con.execute("select count(*) from raw_catalog_entities").fetchone()[0]
    con.close()
    assert count == 7


def test_cli_path_and_missing_source(tmp_path, cli_runner, warehouse_path):
    (tmp_path / "catalog-info.yaml").write_text("kind: Component\nmetadata: {name: a}\n")
    result = cli_runner.invoke(cli, ["--warehouse", str(warehouse_path), "collect", "catalog",
                                     "--path", str(tmp_path), "--collected-at", "2026-11-01"])
    assert result.exit_code == 0, result.output
    result = cli_runner.invoke(cli, ["--warehouse", str(warehouse_path), "collect", "catalog"])
    assert result.exit_code == 2 and "give exactly one of --path or --url" in result.output
