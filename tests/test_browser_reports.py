"""Open rendered reports in real headless Chromium: charts drew, no errors, no network, no alert.

Talks to Chromium over the DevTools protocol (websocket-client) so that console errors,
uncaught exceptions, dialogs (an `alert(1)` from an unescaped team name) and every request the
page makes are observed, not guessed from a screenshot. Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import base64
import itertools
import json
import os
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path

import pytest
from ga_readiness_rows import XSS_CLUSTER
from test_report_fixture import XSS_TEAM, build_warehouse

from fleetscope.reports import render_all

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"

# CI installs chromium (README's test command), so there a missing browser fails instead.
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"),
                                reason="Debian chromium missing (apt-get install chromium)")


class Browser:
    """One headless Chromium with one page, driven over the DevTools protocol."""

    def __init__(self, profile: Path) -> None:
        import websocket

        self.proc = subprocess.Popen(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
             "--no-first-run", "--disable-background-networking", "--disable-component-update",
             "--disable-sync", "--disable-extensions", f"--user-data-dir={profile}",
             "--remote-debugging-port=0", "--remote-allow-origins=*", "--window-size=1280,1600",
             "about:blank"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port_file = profile / "DevToolsActivePort"
        deadline = time.monotonic() + 30
        while not (port_file.exists() and port_file.read_text().strip()):
            if time.monotonic() > deadline or self.proc.poll() is not None:
                raise RuntimeError("chromium did not open its DevTools port")
            time.sleep(0.05)
        port = int(port_file.read_text().split()[0])
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/json/list", timeout=10) as resp:
            targets = json.load(resp)
        page = next(t for t in targets if t["type"] == "page")
        self.ws = websocket.create_connection(page["webSocketDebuggerUrl"], timeout=30,
                                              suppress_origin=True)
        self.ids = itertools.count(1)
        self.events: list[dict] = []
        for method in ("Page.enable", "Runtime.enable", "Log.enable", "Network.enable"):
            self.call(method)

    def call(self, method: str, **params: object) -> dict:
        msg_id = next(self.ids)
        self.ws.send(json.dumps({"id": msg_id, "method": method, "params": params}))
        while True:
            message = json.loads(self.ws.recv())
            if message.get("id") == msg_id:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result", {})
            self._event(message)

    def _event(self, message: dict) -> None:
        self.events.append(message)
        if message.get("method") == "Page.javascriptDialogOpening":
            # Never leave a dialog open: it would block the page. The test fails on it anyway.
            msg_id = next(self.ids)
            self.ws.send(json.dumps({"id": msg_id, "method": "Page.handleJavaScriptDialog",
                                     "params": {"accept": True}}))

    def open(self, url: str) -> None:
        self.events.clear()
        self.call("Page.navigate", url=url)
        deadline = time.monotonic() + 30
        while not any(e.get("method") == "Page.loadEventFired" for e in self.events):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{url} did not finish loading")
            self._event(json.loads(self.ws.recv()))
        # Plotly draws from inline scripts; give its promises a moment to settle.
        self.evaluate("new Promise(r => setTimeout(r, 300))")

    def evaluate(self, expression: str) -> object:
        result = self.call("Runtime.evaluate", expression=expression, awaitPromise=True,
                           returnByValue=True)
        return result.get("result", {}).get("value")

    def problems(self) -> list[str]:
        """Console errors, uncaught exceptions, failed loads and dialogs seen since `open`."""
        found = []
        for e in self.events:
            method, params = e.get("method"), e.get("params", {})
            if method == "Runtime.exceptionThrown":
                found.append(f"exception: {params['exceptionDetails'].get('text')}")
            elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error",
                                                                                 "assert"):
                found.append(f"console.{params['type']}: {params.get('args')}")
            elif method == "Log.entryAdded" and params["entry"].get("level") == "error":
                found.append(f"log: {params['entry'].get('text')} {params['entry'].get('url')}")
            elif method == "Network.loadingFailed":
                found.append(f"load failed: {params.get('errorText')}")
            elif method == "Page.javascriptDialogOpening":
                found.append(f"dialog: {params.get('message')}")
        return found

    def requested_urls(self) -> list[str]:
        return [e["params"]["request"]["url"] for e in self.events
                if e.get("method") == "Network.requestWillBeSent"]

    def screenshot(self, path: Path) -> None:
        # Measure the page at the window's own size (a previous override would stretch it).
        self.call("Emulation.clearDeviceMetricsOverride")
        height = int(self.evaluate("document.documentElement.scrollHeight") or 1600)
        self.call("Emulation.setDeviceMetricsOverride", width=1280, height=min(height, 12000),
                  deviceScaleFactor=1, mobile=False)
        shot = self.call("Page.captureScreenshot", format="png")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))

    def close(self) -> None:
        try:
            self.ws.close()
        finally:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    root = tmp_path_factory.mktemp("browser")
    warehouse = build_warehouse(root / "wh.duckdb")
    return render_all(warehouse, root / "site", week="2026-W47")


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory):
    chromium = Browser(tmp_path_factory.mktemp("chromium-profile"))
    yield chromium
    chromium.close()


CHARTS = "document.querySelectorAll('.fs-chart svg.main-svg').length"
CHART_DIVS = "document.querySelectorAll('.fs-chart').length"
DRAWN = "document.querySelectorAll('.fs-chart.js-plotly-plot').length"


def _check_page(browser: Browser, page: Path, screenshot: str) -> int:
    browser.open(page.as_uri())
    divs = browser.evaluate(CHART_DIVS)
    assert divs and divs > 0
    # Every chart div became a plotly plot with its SVG layers.
    assert browser.evaluate(DRAWN) == divs
    assert browser.evaluate(CHARTS) >= divs
    assert browser.problems() == []
    offsite = [u for u in browser.requested_urls() if not u.startswith(("file://", "data:"))]
    assert offsite == []
    browser.screenshot(ARTIFACTS / screenshot)
    return int(divs)


def test_leadership_report_draws_offline(site, browser: Browser) -> None:
    divs = _check_page(browser, site.leadership, "leadership-2026-W47.png")
    # cost by team, platforms, burn-up, utilisation; the delivery trend: deploys per week, lead
    # time and time to restore, change failure rate
    assert divs == 7
    headline = browser.evaluate("document.querySelector('.fs-card .fs-value').textContent")
    assert headline == "12,700 USD"


def test_team_report_draws_offline(site, browser: Browser) -> None:
    divs = _check_page(browser, site.team_pages["payments"], "team-payments-2026-W47.png")
    # trend, by app, by resource, the delivery trend (lead time, time to restore), burn-up
    assert divs == 5


def test_hostile_team_name_is_text(site, browser: Browser) -> None:
    page = site.team_pages[XSS_TEAM]
    browser.open(page.as_uri())
    assert browser.problems() == []
    title = browser.evaluate("document.querySelector('h1').textContent")
    assert title == f"{XSS_TEAM}: 2026-W47"
    # The only scripts are plotly.js and the chart calls: none came from the name.
    assert browser.evaluate("[...document.scripts].filter(s => s.src).length") == 1
    browser.open(site.index.as_uri())
    assert browser.problems() == []
    links = browser.evaluate("[...document.querySelectorAll('a')].map(a => a.textContent)")
    assert XSS_TEAM in links and "../../etc" in links
    browser.screenshot(ARTIFACTS / "index.png")


def test_ga_readiness_page_draws_every_chart(site, browser: Browser) -> None:
    divs = _check_page(browser, site.ga, "ga-readiness-2026-W47.png")
    # One trend per check id with history (tests/test_report_render.py: 12).
    assert divs == 12
    # Each chart drew its lines, not just empty axes: every plot has scatter traces.
    drawn = browser.evaluate("[...document.querySelectorAll('.fs-chart')].map("
                             "d => d.querySelectorAll('.scatterlayer .trace').length)")
    assert all(n > 0 for n in drawn), drawn
    # The hostile cluster is a table cell's text, never an element.
    assert browser.evaluate("document.querySelectorAll('main img').length") == 0
    cells = browser.evaluate("[...document.querySelectorAll('td')].map(c => c.textContent)")
    assert XSS_CLUSTER in cells
    failing = browser.evaluate("document.querySelectorAll('.fs-card .fs-value')[1].textContent")
    assert failing == "16"
