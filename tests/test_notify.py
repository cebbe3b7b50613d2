"""The delivery steps against real local servers: the published site served over HTTP, an SMTP
server (aiosmtpd) taking the leadership and team mail, a webhook receiver taking the chat summary,
and the same servers refusing (554, HTTP 500) without the steps raising.

Warehouse: tests/test_report_fixture.py's (week 2026-W47 against W46), rendered for the
leadership report and payments' page. By hand: W47 total 6000 + 500 + 5100 + 150 + 50 + 200 +
700 = 12,700 against W46's 3000 + 1000 + 5000 + 100 + 200 + 500 = 9,800: +2,900. payments 6,500
(6000 + 500) against 4,000: +2,500; search 5,100 against 5,000: +100; the XSS team 150 against 100:
+50 (the third mover; `../../etc` also moved +50 but costs less, and the movers are by cost first).
"""

from __future__ import annotations

import base64
import json
import os
import re
import time
import urllib.request
from pathlib import Path

import pandas as pd
import pytest
from delivery_servers import smtp_server, static_server, webhook_receiver
from test_browser_reports import ARTIFACTS, CHROMIUM, Browser
from test_report_fixture import XSS_TEAM, build_warehouse

from fleetscope.config import parse_config
from fleetscope.ops.deliver import deliver
from fleetscope.reports import render_all
from fleetscope.reports.mail import leadership_mail
from fleetscope.reports.weeks import IsoWeek
from fleetscope.warehouse import Warehouse, connect_read_only

PASSWORD = "pw-Zq81-never-logged"
# mart_alerts rows of exactly the contract's columns: two raised within W47 (new), one before it.
ALERTS = pd.DataFrame([
    {"alert_id": "a1", "alert_kind": "budget", "team": "payments", "app_id": None,
     "cluster": None, "raised_on": pd.Timestamp("2026-11-16").date(), "severity": "critical",
     "title": "payments over budget", "detail": "Forecast 13,200 USD against 12,000 USD.",
     "amount": 1200.0},
    {"alert_id": "a2", "alert_kind": "anomaly", "team": "search", "app_id": "search-api",
     "cluster": "prod-eu", "raised_on": pd.Timestamp("2026-11-05").date(),
     "severity": "warning", "title": "old spike", "detail": "Already sent last week.",
     "amount": 40.0},
    {"alert_id": "a3", "alert_kind": "anomaly", "team": XSS_TEAM, "app_id": None,
     "cluster": "prod-eu", "raised_on": pd.Timestamp("2026-11-18").date(),
     "severity": "warning", "title": f"{XSS_TEAM} spiked", "detail": "150 USD against 100 USD.",
     "amount": 50.0},
])


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("notify")
    warehouse = build_warehouse(root / "wh.duckdb")
    with Warehouse(warehouse) as wh:
        wh.replace_reference_table("mart_alerts", ALERTS)
    render_all(warehouse, root / "site", week="2026-W47", teams=["payments"], leadership=True,
               workers=1)
    return warehouse, root / "site"


def config(pub: Path, base: str, smtp_port: int, **chat: object) -> object:
    return parse_config({
        "publish": {"to": str(pub), "site_url": base, "retries": 1,
                    "retry_backoff_seconds": 0.0},
        "email": {"host": "127.0.0.1", "port": smtp_port, "starttls": False,
                  "user": "fleetscope", "password_env": "FS_TEST_SMTP_PASSWORD",
                  "to": ["cto@example.com"], "timeout_seconds": 5,
                  "teams": [{"team": "payments", "to": ["pay@example.com"]}]},
        "chat": {"webhook_url_env": "FS_TEST_WEBHOOK", "top_movers": 3, **chat},
    })


def links(html: str) -> list[str]:
    return re.findall(r'href="([^"]+)"', html)


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=10) as response:
        assert response.status == 200
        return bytes(response.read())


@pytest.fixture(scope="module")
def delivered(rendered, tmp_path_factory: pytest.TempPathFactory):
    """One delivery to working servers, then a second one with nothing new."""
    warehouse, site = rendered
    pub = tmp_path_factory.mktemp("pub") / "www"
    monkey = pytest.MonkeyPatch()
    with smtp_server() as (port, box), webhook_receiver() as (hook, posts), \
            static_server(pub.parent) as served:
        monkey.setenv("FS_TEST_SMTP_PASSWORD", PASSWORD)
        monkey.setenv("FS_TEST_WEBHOOK", hook)
        cfg = config(pub, served + "www/", port)
        logs: list[str] = []
        first = deliver(cfg, warehouse_path=warehouse, report_dir=site, log=logs.append)
        second = deliver(cfg, warehouse_path=warehouse, report_dir=site, log=logs.append)
        # Links are followed while the site is served.
        pages = {url: fetch(url) for m in box.messages
                 for url in links(m.get_body(("html",)).get_content())}
        yield {"first": first, "second": second, "box": box, "posts": posts, "logs": logs,
               "pub": pub, "site": site, "base": served + "www/", "pages": pages,
               "warehouse": warehouse, "hook": hook}
    monkey.undo()


def test_every_step_ran(delivered) -> None:
    assert [(s.name, s.status) for s in delivered["first"]] == [
        ("publish", "ok"), ("mail leadership", "ok"), ("mail team payments", "ok"),
        ("chat", "ok")]
    # index.html, plotly.min.js and the week's leadership.html, ga.html, manifest.json,
    # teams/payments.html and .csv: 7 files
    assert delivered["first"][0].message.startswith("7 file(s) uploaded, 0 unchanged")
    # The second run found the site as published: nothing uploaded.
    assert delivered["second"][0].message.startswith("0 file(s) uploaded, 7 unchanged")
    assert delivered["box"].logins == [("fleetscope", PASSWORD)] * 4


def test_leadership_mail(delivered) -> None:
    message = delivered["box"].messages[0]
    assert message["To"] == "cto@example.com"
    assert message["Subject"] == "fleetscope weekly report 2026-W47"
    html = message.get_body(("html",)).get_content()
    assert "<script" not in html.lower() and "<style" not in html.lower()
    assert "12,700 USD" in html and "9,800 USD" in html and "+2,900 USD" in html
    assert "+2,500 USD" in html  # payments, the top mover
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # the hostile team name is text
    # The chart is a PNG inside the message (kaleido drives the system Chromium), and the same
    # numbers follow as a table for clients that block images.
    images = [p for p in message.walk() if p.get_content_type() == "image/png"]
    if Path(CHROMIUM).exists() or os.environ.get("CI"):  # else: the table alone (tested below)
        assert [p["Content-ID"] for p in images] == ["<platform-cost>"]
        assert images[0].get_content().startswith(b"\x89PNG")
        assert 'src="cid:platform-cost"' in html
    assert "2026-W46" in html and "8,800 USD" in html
    base = delivered["base"]
    assert links(html) == [base + "2026-W47/leadership.html"]
    page = delivered["pages"][base + "2026-W47/leadership.html"]
    assert page == (delivered["site"] / "2026-W47" / "leadership.html").read_bytes()


def test_team_mail(delivered) -> None:
    message = delivered["box"].messages[1]
    assert message["To"] == "pay@example.com"
    assert message["Subject"] == "payments: fleetscope weekly report 2026-W47"
    html = message.get_body(("html",)).get_content()
    assert "<script" not in html.lower()
    assert "6,500 USD" in html and "4,000 USD" in html and "+2,500 USD" in html
    # by app: payments-api 6,000 on Kubernetes, payments-batch 500 on Helios
    assert "payments-api" in html and "6,000 USD" in html and "500 USD" in html
    url = delivered["base"] + "2026-W47/teams/payments.html"
    assert links(html) == [url] and delivered["pages"][url].startswith(b"<!DOCTYPE html>")


def test_chat_summary_and_alerts_sent_once(delivered) -> None:
    first, second = delivered["posts"]
    assert first["text"] == "fleetscope 2026-W47: total cost 12,700 USD (+2,900 USD vs last week)"
    sections = [b["text"]["text"] for b in first["blocks"] if b["type"] == "section"]
    assert sections[0] == ("*Top movers*\n• payments: +2,500 USD (now 6,500 USD)\n"
                           "• search: +100 USD (now 5,100 USD)\n"
                           "• &lt;script&gt;alert(1)&lt;/script&gt;: +50.00 USD (now 150 USD)")
    # tests/test_report_fixture.py: 16 GA checks fail at the end of W47
    assert sections[1].startswith("*Failing GA checks (16)*\n")
    assert sections[2] == ("*New alerts (2)*\n• [critical] payments over budget: Forecast "
                           "13,200 USD against 12,000 USD.\n• [warning] &lt;script&gt;alert(1)"
                           "&lt;/script&gt; spiked: 150 USD against 100 USD.")
    assert sections[3] == f"<{delivered['base']}2026-W47/leadership.html|Open the report>"
    # The second run: same movers and checks, no alert again.
    again = [b["text"]["text"] for b in second["blocks"] if b["type"] == "section"]
    assert again[:2] == sections[:2] and not any("New alerts" in s for s in again)
    with Warehouse(delivered["warehouse"]) as wh:
        keys = wh.con.execute("select state_key from state where state_key like 'chat.%' "
                              "order by 1").fetchall()
    assert keys == [("chat.alert_sent.a1",), ("chat.alert_sent.a3",)]


def test_no_credential_is_logged_stored_or_published(delivered) -> None:
    logged = "\n".join(delivered["logs"]) + repr(delivered["first"]) + repr(delivered["second"])
    assert "run: mail leadership: sent to 1 recipient(s)" in logged
    for secret in (PASSWORD, "secret"):  # the webhook URL's token part
        assert secret not in logged
        assert secret.encode() not in delivered["warehouse"].read_bytes()
        for folder in (delivered["site"], delivered["pub"]):
            for path in folder.rglob("*"):
                assert not path.is_file() or secret.encode() not in path.read_bytes(), path


def test_refusing_servers_fail_the_steps_not_the_call(rendered, tmp_path: Path,
                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    warehouse, site = rendered
    monkeypatch.setenv("FS_TEST_SMTP_PASSWORD", PASSWORD)
    with smtp_server(refuse=True) as (port, box), webhook_receiver(500) as (hook, posts):
        monkeypatch.setenv("FS_TEST_WEBHOOK", hook)
        logs: list[str] = []
        steps = deliver(config(tmp_path / "www", "http://127.0.0.1:9/", port),
                        warehouse_path=warehouse, report_dir=site, log=logs.append)
    assert [(s.name, s.status) for s in steps] == [
        ("publish", "ok"), ("mail leadership", "failed"), ("mail team payments", "failed"),
        ("chat", "failed")]
    assert "554" in steps[1].message and "refused by policy" in steps[1].message
    assert steps[3].message == "WebhookError: webhook answered HTTP 500"
    # retries = 1: each failed once, was retried, and the failure logged
    assert sum("mail: attempt 1 failed" in line for line in logs) == 2
    assert sum("chat: attempt 1 failed" in line for line in logs) == 1
    assert box.messages == [] and posts == []
    assert not any(PASSWORD in line or "secret" in line for line in logs)


@pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                    reason="Debian chromium missing (apt-get install chromium)")
def test_mail_body_in_chromium_without_javascript(delivered, tmp_path: Path) -> None:
    """The leadership mail as a mail client shows it: the HTML part alone, scripts disabled."""
    message = delivered["box"].messages[0]
    html = message.get_body(("html",)).get_content()
    # What a mail client does with `cid:`: show the related image part in its place.
    png = next(p for p in message.walk() if p["Content-ID"] == "<platform-cost>").get_content()
    html = html.replace("cid:platform-cost",
                        "data:image/png;base64," + base64.b64encode(png).decode())
    page = tmp_path / "mail.html"
    page.write_text(html, encoding="utf-8")
    browser = Browser(tmp_path / "profile")
    try:
        browser.call("Emulation.setScriptExecutionDisabled", value=True)
        browser.call("Page.navigate", url=page.as_uri())
        deadline = time.monotonic() + 30
        while not any(e.get("method") == "Page.loadEventFired" for e in browser.events):
            assert time.monotonic() < deadline, "the mail page did not load"
            browser._event(json.loads(browser.ws.recv()))
        # DevTools' own evaluation still runs with page scripts disabled.
        text = browser.evaluate("document.body.innerText")
        cells = browser.evaluate("document.querySelectorAll('td').length")
        drawn = browser.evaluate("[...document.images].map(i => i.naturalWidth)")
        browser.screenshot(ARTIFACTS / "mail-leadership-2026-W47.png")
    finally:
        browser.close()
    assert isinstance(text, str)
    assert "fleetscope weekly report 2026-W47" in text
    assert "12,700 USD" in text and "+2,900 USD" in text and "Open the full report" in text
    assert "<script>alert(1)</script>" in text  # shown as text, never run
    # cost 4 x 5 cells, movers 4 x 3, platform weeks 2 x 3 (W46, W47 x Kubernetes, Helios)
    assert cells == 20 + 12 + 6
    assert drawn == [640 * 2] or drawn == [640]  # the chart image decoded (kaleido's scale)
    assert browser.problems() == []
    shot = (ARTIFACTS / "mail-leadership-2026-W47.png").read_bytes()
    assert shot.startswith(b"\x89PNG") and len(shot) > 10_000


def test_without_image_export_the_mail_has_the_table_alone(rendered) -> None:
    con = connect_read_only(rendered[0])
    try:
        page = leadership_mail(con, IsoWeek.parse("2026-W47"), config=parse_config({}),
                               link=None, subject="s", chart=False)
    finally:
        con.close()
    assert page.images == {} and "cid:" not in page.html and "href=" not in page.html
    # Weekly cost by platform, by hand: W46 Kubernetes 3000 + 5000 + 100 + 200 + 500 = 8,800,
    # Helios 1,000; W47 Kubernetes 12,200, Helios 500.
    assert re.findall(r">([\d,]+ USD)</td>", page.html.split("Weekly cost by platform")[1]) == [
        "8,800 USD", "1,000 USD", "12,200 USD", "500 USD"]


def test_an_unreadable_warehouse_fails_the_steps_not_the_call(rendered, tmp_path: Path) -> None:
    cfg = parse_config({"email": {"host": "127.0.0.1", "port": 9, "to": ["cto@example.com"]},
                        "chat": {"webhook_url_env": "FS_TEST_WEBHOOK"}})
    (tmp_path / "wh.duckdb").mkdir()  # a folder where the DuckDB file should be
    logs: list[str] = []
    steps = deliver(cfg, warehouse_path=tmp_path / "wh.duckdb", report_dir=rendered[1],
                    log=logs.append)
    assert [(s.name, s.status) for s in steps] == [("mail leadership", "failed"),
                                                   ("chat", "failed")]
    assert steps[0].message.startswith("WarehouseError: cannot open warehouse")
    assert logs[0].startswith("run: notify: FAILED: WarehouseError")
