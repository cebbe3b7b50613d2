"""`fleetscope serve --api`: the plugin's intervals, hand-worked costs, and the security rules,
against a real HTTP server over a hand-made warehouse (tests/cost_insights_rows.py)."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path

import duckdb
import pytest
import yaml

from fleetscope.cli import cli
from fleetscope.errors import InputError
from fleetscope.ops.cost_insights.intervals import parse_intervals
from tests.conftest import REPO
from tests.cost_insights_rows import ORIGIN, TOKEN, build_warehouse, running_server

P3D = "R2/P3D/2026-11-01"


def _get(base: str, path: str, *, token: str | None = TOKEN, method: str = "GET",
         origin: str | None = None) -> tuple[int, dict[str, str], object]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    if origin:
        headers["Origin"] = origin
    request = urllib.request.Request(base + path, headers=headers, method=method)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            status, head, raw = response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        status, head, raw = exc.code, dict(exc.headers), exc.read()
    return status, head, json.loads(raw) if raw else None


@pytest.fixture
def base(tmp_path: Path):
    with running_server(build_warehouse(tmp_path / "wh.duckdb")) as url:
        yield url


def test_intervals_are_the_plugins_dates() -> None:
    # duration.ts: 2026-11-01 is the exclusive end; start = 2026-10-31 - 2 x 30 days = 09-01
    p30 = parse_intervals("R2/P30D/2026-11-01")
    assert (p30.start, p30.end, len(p30.days)) == (date(2026, 9, 1), date(2026, 10, 31), 61)
    # compared: the last 30 days (10-02 .. 10-31) and the 30 before (09-02 .. 10-01)
    assert (p30.previous_start, p30.previous_end) == (date(2026, 9, 2), date(2026, 10, 1))
    assert p30.current_start == date(2026, 10, 2)
    # P3M: quarterEndDate(2026-10-01) = 2026-09-30; chart from Q1 (07-01 minus 6 months)
    q = parse_intervals("R2/P3M/2026-10-01")
    assert (q.start, q.end) == (date(2026, 1, 1), date(2026, 9, 30))
    assert (q.previous_start, q.previous_end, q.current_start) == (
        date(2026, 4, 1), date(2026, 6, 30), date(2026, 7, 1))
    # P61D whose current period starts on a month's first day is still 61 days, not a quarter:
    # current 09-01 .. 10-31 (30 + 31), previous 07-02 .. 08-31 (30 + 31)
    p61 = parse_intervals("R2/P61D/2026-11-01")
    assert (p61.previous_start, p61.previous_end, p61.current_start) == (
        date(2026, 7, 2), date(2026, 8, 31), date(2026, 9, 1))
    # a date that ends a quarter is its own inclusive end (quarterEndDate)
    assert parse_intervals("R2/P3M/2026-09-30").end == date(2026, 9, 30)


@pytest.mark.parametrize("text", ["", "R2/P30D", "R3/P30D/2026-11-01", "R2/P30D/2026-13-01",
                                  "R2/P2M/2026-11-01", "R2/P999D/2026-11-01",
                                  "R2/P30D/2026-11-01' or 1=1"])
def test_bad_intervals_are_named(text: str) -> None:
    with pytest.raises(InputError, match="intervals"):
        parse_intervals(text)


def test_the_hand_made_marts_have_the_models_columns(tmp_path: Path) -> None:
    """The API reads real marts: every column of the hand-made tables is in the model's YAML
    with the same type (and mart_alerts, once BUDGETS' model is there, has the contract's)."""
    con = duckdb.connect(str(build_warehouse(tmp_path / "wh.duckdb")), read_only=True)
    for table in ("mart_team_cost_daily", "mart_app_cost_daily", "mart_alerts"):
        spec_file = REPO / "pipelines" / "models" / "marts" / f"{table}.yml"
        if not spec_file.exists():  # mart_alerts before the BUDGETS branch is merged
            continue
        spec = yaml.safe_load(spec_file.read_text(encoding="utf-8"))["models"][0]
        declared = {c["name"]: c["data_type"] for c in spec["columns"]}
        made = dict(con.execute("select column_name, data_type from information_schema.columns "
                                "where table_name = ?", [table]).fetchall())
        assert {name: declared.get(name) for name in made} == made, table
    con.close()


def test_group_daily_cost_is_hand_worked(base: str) -> None:
    status, _, cost = _get(base, f"/api/cost-insights/groups/payments/daily-cost?intervals={P3D}")
    assert status == 200 and cost["id"] == "payments"
    # 10-25 .. 10-31; 10-29 = prod-eu 12 + helios-a 1; 10-24 and 11-01 are outside
    assert [(a["date"][5:], a["amount"]) for a in cost["aggregation"]] == [
        ("10-25", 50.0), ("10-26", 10.0), ("10-27", 10.0), ("10-28", 10.0), ("10-29", 13.0),
        ("10-30", 13.0), ("10-31", 14.0)]
    # previous 10 + 10 + 10 = 30, current 13 + 13 + 14 = 40: amount 10, ratio 10 / 30
    assert cost["change"]["amount"] == pytest.approx(10.0)
    assert cost["change"]["ratio"] == pytest.approx(1 / 3)
    # least squares over days 0..6 (mean 3): sum((x - 3) y) = -150 - 20 - 10 + 0 + 13 + 26 + 42
    # = -99, sum((x - 3)^2) = 28: -99/28 a day, in the plugin's unit (per second)
    assert cost["trendline"]["slope"] * 86400 == pytest.approx(-99 / 28)
    day3 = 1793145600  # 2026-10-28T00:00Z: the line passes through (mean x, mean y = 120 / 7)
    assert cost["trendline"]["slope"] * day3 + cost["trendline"]["intercept"] == pytest.approx(
        120 / 7)
    product = {c["id"]: c for c in cost["groupedCosts"]["product"]}
    assert list(product) == ["cpu", "ram", "gpu", "storage"]
    # cpu = total - 4 on prod-eu, + 1 on helios-a: previous 3 x 6 = 18, current 8 + 9 + 10 + 1
    assert product["cpu"]["change"] == pytest.approx({"amount": 10.0, "ratio": 10 / 18})
    # ram 3 a day on prod-eu in both periods: no change
    assert product["ram"]["change"] == {"amount": 0.0, "ratio": 0.0}
    assert product["gpu"]["change"] == {"amount": 0.0}  # both sums 0: no ratio
    project = cost["groupedCosts"]["project"]
    assert [(c["id"], c["change"]) for c in project] == [("checkout", {"amount": 0.0,
                                                                       "ratio": 0.0})]


def test_project_and_product_insights(base: str) -> None:
    status, _, cost = _get(base, f"/api/cost-insights/projects/checkout/daily-cost?intervals={P3D}")
    # checkout: 7 a day from 10-26: 21 and 21
    assert status == 200 and cost["change"] == {"amount": 0.0, "ratio": 0.0}
    assert [c["id"] for c in cost["groupedCosts"]["product"]] == ["cpu", "ram", "gpu"]
    status, _, entity = _get(
        base, f"/api/cost-insights/products/cpu/insights?group=payments&intervals={P3D}")
    assert status == 200 and entity["id"] == "cpu"
    assert entity["aggregation"] == [18.0, 28.0]
    clusters = {e["id"]: e for e in entity["entities"]["cluster"]}
    # prod-eu 6 x 3 = 18 then 8 + 9 + 10 = 27; helios-a 0 then 1 (no ratio from 0)
    assert clusters["prod-eu"]["aggregation"] == [18.0, 27.0]
    assert clusters["helios-a"]["change"] == {"amount": 1.0}
    status, _, body = _get(
        base, f"/api/cost-insights/products/storage/insights?group=payments&project=checkout"
              f"&intervals={P3D}")
    assert status == 404 and "storage" in body["error"]


def test_groups_and_alerts(base: str, tmp_path: Path) -> None:
    status, _, groups = _get(base, "/api/cost-insights/user-groups")
    assert status == 200
    assert groups == [{"id": "payments", "name": "payments"}, {"id": "search", "name": "search"}]
    _, _, alerts = _get(base, "/api/cost-insights/groups/payments/alerts")
    # payments' own and the org-wide one, newest first; search's is not shown
    assert [(a["id"], a["severity"], a["amount"]) for a in alerts] == [
        ("a2", "critical", 1000.0), ("a1", "warning", 1200.0)]
    assert alerts[1]["title"] == "payments at risk of going over budget"
    assert alerts[1]["subtitle"] == "Forecast 13,200 for a budget of 12,000."
    without = build_warehouse(tmp_path / "no-alerts.duckdb", alerts=False)
    with running_server(without) as other:
        assert _get(other, "/api/cost-insights/groups/payments/alerts")[2] == []


@pytest.mark.parametrize("token", [None, "wrong", TOKEN + "x", TOKEN[:-1]])
def test_a_request_without_the_token_gets_401(base: str, token: str | None) -> None:
    status, head, body = _get(base, "/api/cost-insights/user-groups", token=token)
    assert status == 401 and head["WWW-Authenticate"].startswith("Bearer")
    assert body == {"error": "missing or wrong bearer token"}


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH"])
def test_only_get_is_answered(base: str, method: str) -> None:
    status, head, _ = _get(base, "/api/cost-insights/user-groups", method=method)
    assert status == 405 and head["Allow"] == "GET, OPTIONS"


@pytest.mark.parametrize("group", ["nobody", "__idle__", "payments' or '1'='1",
                                   "payments%27%20or%20%271%27%3D%271"])
def test_unknown_groups_are_404_and_names_are_parameters(base: str, group: str) -> None:
    status, _, body = _get(base, f"/api/cost-insights/groups/{group}/daily-cost"
                                 f"?intervals={P3D}".replace(" ", "%20"))
    assert status == 404 and body["error"].startswith("unknown group")


@pytest.mark.parametrize("app", ["nothing", "__idle__"])
def test_unknown_projects_are_404(base: str, app: str) -> None:
    status, _, body = _get(base, f"/api/cost-insights/projects/{app}/daily-cost?intervals={P3D}")
    assert status == 404 and body["error"] == f"unknown project {app!r}"
    _, _, projects = _get(base, "/api/cost-insights/groups/payments/projects")
    assert projects == [{"id": "checkout", "name": "checkout"}]


def test_cors_allows_only_the_configured_origin(base: str) -> None:
    _, head, _ = _get(base, "/api/cost-insights/user-groups", origin=ORIGIN)
    assert head["Access-Control-Allow-Origin"] == ORIGIN
    _, head, _ = _get(base, "/api/cost-insights/user-groups", origin="https://evil.example")
    assert "Access-Control-Allow-Origin" not in head
    status, head, _ = _get(base, "/api/cost-insights/user-groups", token=None, method="OPTIONS",
                           origin=ORIGIN)
    assert status == 204 and head["Access-Control-Allow-Headers"] == "Authorization"
    status, _, _ = _get(base, "/api/cost-insights/user-groups", token=None, method="OPTIONS",
                        origin="https://evil.example")
    assert status == 403


def test_errors_carry_no_stack_trace(base: str, tmp_path: Path) -> None:
    status, _, body = _get(base, "/api/cost-insights/groups/payments/daily-cost?intervals=x")
    assert status == 400 and "R2/P30D" in body["error"]
    broken = build_warehouse(tmp_path / "broken.duckdb")
    con = duckdb.connect(str(broken))
    con.execute("alter table mart_app_cost_daily drop column total_cost")
    con.close()
    with running_server(broken) as url:
        status, _, body = _get(url, f"/api/cost-insights/projects/checkout/daily-cost"
                                    f"?intervals={P3D}")
    assert status == 500 and body == {"error": "internal error (see the server's log)"}


def test_a_missing_warehouse_is_503_without_its_path(tmp_path: Path) -> None:
    with running_server(tmp_path / "nowhere.duckdb") as url:
        status, _, body = _get(url, "/api/cost-insights/user-groups")
    assert status == 503
    assert body == {"error": "warehouse unavailable; try again (see the server's log)"}


def test_serve_refuses_to_start_without_a_token(cli_runner, tmp_path: Path) -> None:
    result = cli_runner.invoke(cli, ["--warehouse", str(tmp_path / "wh.duckdb"), "serve",
                                     "--api", "--port", "0"], env={"FLEETSCOPE_API_TOKEN": ""})
    assert result.exit_code == 2
    assert result.output.strip() == ("Error: api.token_env: environment variable "
                                     "FLEETSCOPE_API_TOKEN is not set or empty; the API serves "
                                     "no request without a bearer token")
