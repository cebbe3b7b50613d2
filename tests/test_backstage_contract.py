"""The Cost Insights contract: what a running `fleetscope serve --api` returns type-checks with
`tsc` against the published @backstage/plugin-cost-insights-common types, and the TypeScript
client (integrations/backstage/) works against it under node.

Nothing is installed here: the test command runs `npm ci --prefix integrations/backstage` first.
Without node_modules the test skips, unless FLEETSCOPE_REQUIRE_NODE is set (CI), then it fails.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import REPO
from tests.cost_insights_rows import TOKEN, build_warehouse

PACKAGE = REPO / "integrations" / "backstage"
TSC = PACKAGE / "node_modules" / ".bin" / "tsc"
P3D = "R2/P3D/2026-11-01"
# (constant name, TypeScript type, path): one fixture per endpoint
FIXTURES = [
    ("groupDailyCost", "Cost", f"/groups/payments/daily-cost?intervals={P3D}"),
    ("projectDailyCost", "Cost", f"/projects/checkout/daily-cost?intervals={P3D}"),
    ("productInsights", "Entity", f"/products/cpu/insights?group=payments&intervals={P3D}"),
    ("userGroups", "Group[]", "/user-groups"),
    ("groupProjects", "Project[]", "/groups/payments/projects"),
    ("alerts", "FleetscopeAlert[]", "/groups/payments/alerts"),
]


def _need_node() -> None:
    if TSC.exists() and shutil.which("node"):
        return
    reason = (f"{TSC} or node is missing: run `npm ci --prefix integrations/backstage` "
              "(the README's test command does)")
    if os.environ.get("FLEETSCOPE_REQUIRE_NODE"):
        pytest.fail(reason + " (FLEETSCOPE_REQUIRE_NODE is set)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The real CLI in its own process, on a free port it prints."""
    _need_node()
    warehouse = build_warehouse(tmp_path_factory.mktemp("api") / "wh.duckdb")
    env = {**os.environ, "FLEETSCOPE_API_TOKEN": TOKEN}
    process = subprocess.Popen(
        [sys.executable, "-m", "fleetscope", "--warehouse", str(warehouse), "serve", "--api",
         "--port", "0"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env)
    try:
        line = process.stdout.readline()  # "serving http://127.0.0.1:PORT/api/cost-insights ..."
        assert line.startswith("serving http://"), line
        yield line.split()[1].removesuffix("/api/cost-insights")
    finally:
        process.terminate()
        process.wait(timeout=10)


def _fetch(base: str, path: str) -> object:
    request = urllib.request.Request(f"{base}/api/cost-insights{path}",
                                     headers={"Authorization": f"Bearer {TOKEN}"})
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.loads(response.read())


def _tsc(folder: Path, source: str) -> subprocess.CompletedProcess[str]:
    """Type-check `source` (one file) in `folder`, resolving the package's node_modules."""
    (folder / "fixtures.ts").write_text(source, encoding="utf-8")
    modules = PACKAGE / "node_modules"
    (folder / "tsconfig.json").write_text(json.dumps({
        "compilerOptions": {"strict": True, "noEmit": True, "target": "ES2022",
                            "module": "commonjs", "moduleResolution": "node", "types": [],
                            "typeRoots": [str(modules / "@types")], "baseUrl": ".",
                            "paths": {"@backstage/*": [str(modules / "@backstage" / "*")]}},
        "files": ["fixtures.ts"]}), encoding="utf-8")
    return subprocess.run([str(TSC), "-p", str(folder / "tsconfig.json")], capture_output=True,
                          text=True, timeout=300)


def _source(constants: list[tuple[str, str, object]]) -> str:
    client = (PACKAGE / "src" / "client").as_posix()
    lines = ["import type { Cost, Entity, Group, Project } from "
             "'@backstage/plugin-cost-insights-common';",
             f"import type {{ FleetscopeAlert }} from '{client}';"]
    lines += [f"export const {name}: {type_} = {json.dumps(value, indent=1)};"
              for name, type_, value in constants]
    return "\n".join(lines) + "\n"


def test_server_answers_type_check_against_the_published_types(server: str,
                                                               tmp_path: Path) -> None:
    constants = [(name, type_, _fetch(server, path)) for name, type_, path in FIXTURES]
    checked = _tsc(tmp_path, _source(constants))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    # the check bites: an aggregation of [previous, current] is not a Cost's DateAggregation[]
    entity = constants[2][2]
    wrong = _tsc(tmp_path, _source([("notACost", "Cost", entity)]))
    assert wrong.returncode != 0 and "TS2322" in wrong.stdout, wrong.stdout


def test_the_typescript_client_against_the_running_server(server: str, tmp_path: Path) -> None:
    built = subprocess.run([str(TSC), "-p", str(PACKAGE / "tsconfig.json"), "--outDir",
                            str(tmp_path)], capture_output=True, text=True, timeout=300)
    assert built.returncode == 0, built.stdout + built.stderr
    run = subprocess.run(["node", str(tmp_path / "scripts" / "exercise.js"), server, "payments",
                          "checkout", P3D], capture_output=True, text=True, timeout=60,
                         env={**os.environ, "FLEETSCOPE_API_TOKEN": TOKEN})
    assert run.returncode == 0, run.stderr
    results = json.loads(run.stdout)
    assert results["getLastCompleteBillingDate"] == "2026-11-01"  # the newest day with cost
    assert [g["id"] for g in results["getUserGroups"]] == ["payments", "search"]
    assert results["getGroupProjects"] == [{"id": "checkout", "name": "checkout"}]
    # tests/cost_insights_rows.py: previous 30, current 40
    group = results["getGroupDailyCost"]
    assert group["change"]["amount"] == pytest.approx(10.0)
    assert group["change"]["ratio"] == pytest.approx(1 / 3)
    assert len(group["aggregation"]) == 7
    assert results["getProjectDailyCost"]["change"] == {"amount": 0, "ratio": 0}
    assert results["getProductInsights"]["aggregation"] == [18, 28]  # cpu: 6 x 3, 8+9+10+1
    assert [a["id"] for a in results["getAlerts"]] == ["a2", "a1"]
    assert results["getDailyMetricData"]["status"] == 404
    assert results["unknownGroup"] == {"status": 404, "error":
                                       "fleetscope API 404: unknown group 'no-such-team'"}
