"""Hand-run writes (collect, transform, validate) respect the run lock like `fleetscope run`."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from backstage_fake_api import entity
from backstage_fake_api import serve as serve_backstage
from helios_fake_api import document, host_status, job
from helios_fake_api import serve as serve_helios
from k8s_fake_api import FakeKubeAPI, write_kubeconfig
from k8s_objects import sample_items
from prometheus_server import preloaded_prometheus, scenario_history

from fleetscope.cli import cli
from fleetscope.ops.lock import warehouse_lock
from fleetscope.warehouse import connect_read_only

CORPUS = Path(__file__).parent / "bad_inputs"
GOOD_LIST = CORPUS / "good_k8s.json"


def _collect(warehouse: Path, config: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "fleetscope", "--warehouse", str(warehouse), "--config",
         str(config), "collect", "kubernetes", "--from-file", str(GOOD_LIST), "--cluster", "prod",
         "--collected-at", "2026-11-20T06:00:00Z"],
        capture_output=True, text=True, timeout=120)


def test_collect_gives_up_naming_the_holder(tmp_path: Path) -> None:
    warehouse, config = tmp_path / "wh.duckdb", tmp_path / "fleetscope.toml"
    config.write_text("[run]\nlock_timeout_seconds = 0.5\n")
    with warehouse_lock(warehouse, timeout_seconds=1):
        result = _collect(warehouse, config)
    assert result.returncode == 7, result.stderr
    assert any(line.startswith("Error: ") for line in result.stderr.splitlines())
    assert "pid" in result.stderr
    assert not warehouse.exists()  # it never opened the warehouse


def test_collect_waits_for_the_holder_then_loads(tmp_path: Path) -> None:
    warehouse, config = tmp_path / "wh.duckdb", tmp_path / "fleetscope.toml"
    config.write_text("[run]\nlock_timeout_seconds = 60\n")
    released = threading.Event()

    def hold() -> None:
        with warehouse_lock(warehouse, timeout_seconds=1):
            time.sleep(1.5)
        released.set()

    holder = threading.Thread(target=hold)
    holder.start()
    time.sleep(0.2)
    result = _collect(warehouse, config)
    holder.join()
    assert released.is_set()
    assert result.returncode == 0, result.stderr
    assert "waiting" in result.stderr.lower() or "lock" in result.stderr.lower()


# -- every writer, while another process holds the lock ----------------------------------------

@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, object]]:
    """A real Prometheus and the fake Kubernetes, Helios and Backstage APIs, to show that a
    command stopped by the lock never even asks its source."""
    helios_doc = document({"svc:1:h1": job("svc:1:h1", cpu_shares=512)},
                          {"host-1": host_status(cpus=8, running=("svc:1:h1",))}, {})
    kube = FakeKubeAPI().add(sample_items())
    kube.start()
    try:
        with preloaded_prometheus(scenario_history(), tmp_path_factory.mktemp("prom")) as prom, \
                serve_helios(helios_doc) as helios, \
                serve_backstage([entity("Component", "shop", owner="team-a")]) as backstage:
            yield {"prometheus": prom, "kubernetes": kube, "helios": helios,
                   "backstage": backstage}
    finally:
        kube.stop()


def _requests(servers: dict[str, object]) -> int:
    return (len(servers["kubernetes"].requests)  # type: ignore[attr-defined]
            + sum(servers["helios"].calls.values())  # type: ignore[attr-defined]
            + len(servers["backstage"].requests))  # type: ignore[attr-defined]


WRITERS = {
    "collect kubernetes --from-file": lambda s: [
        "collect", "kubernetes", "--from-file", str(GOOD_LIST), "--cluster", "prod",
        "--collected-at", "2026-11-21T06:00:00Z"],
    "collect kubernetes --context": lambda s: ["collect", "kubernetes", "--context", "prod"],
    "collect prometheus --url": lambda s: [
        "collect", "prometheus", "--url", s["prometheus"].url, "--cluster", "prod",
        "--start", "2026-11-02T00:00:00Z", "--end", "2026-11-02T06:00:00Z"],
    "collect prometheus --from-file": lambda s: [
        "collect", "prometheus", "--from-file", str(CORPUS / "good_prom.json")],
    "collect helios --url": lambda s: ["collect", "helios", "--url", s["helios"].url],
    "collect helios --from-file": lambda s: [
        "collect", "helios", "--from-file", str(CORPUS / "good_helios.json")],
    "collect catalog --url": lambda s: ["collect", "catalog", "--url", s["backstage"].url],
    "collect catalog --path": lambda s: [
        "collect", "catalog", "--path", str(CORPUS / "good_catalog")],
    "transform": lambda s: ["transform"],
    "validate": lambda s: ["validate"],
    "snapshot": lambda s: ["snapshot"],
}


@pytest.mark.parametrize("name", list(WRITERS))
def test_every_writer_exits_7_and_writes_nothing_while_another_process_holds_the_lock(
        name: str, servers: dict[str, object], tmp_path: Path, cli_runner) -> None:
    warehouse, config = tmp_path / "wh.duckdb", tmp_path / "fleetscope.toml"
    kube = servers["kubernetes"]
    kubeconfig = write_kubeconfig(tmp_path / "kubeconfig", {"prod": (kube.url, kube.token)})  # type: ignore[attr-defined]
    config.write_text(f'[kubernetes]\nkubeconfig = "{kubeconfig}"\n'
                      "[prometheus]\nscrape_interval_seconds = 60\n")
    base = ["--warehouse", str(warehouse), "--config", str(config)]
    loaded = cli_runner.invoke(cli, [*base, "collect", "kubernetes", "--from-file", str(GOOD_LIST),
                                     "--cluster", "prod", "--collected-at", "2026-11-20T06:00Z"])
    assert loaded.exit_code == 0, loaded.output
    before = hashlib.sha256(warehouse.read_bytes()).hexdigest()
    asked = _requests(servers)
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys\nfrom fleetscope.ops.lock import warehouse_lock\n"
         f"with warehouse_lock({str(warehouse)!r}, timeout_seconds=5):\n"
         "    print('held', flush=True)\n    sys.stdin.read()\n"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "held\n"
        result = cli_runner.invoke(cli, [*base, *WRITERS[name](servers), "--lock-timeout", "1"])
    finally:
        holder.communicate("", timeout=30)
    assert result.exit_code == 7, result.output
    assert f"Error: another fleetscope run holds the lock {warehouse}.lock (pid {holder.pid}" \
        in result.output
    assert hashlib.sha256(warehouse.read_bytes()).hexdigest() == before
    assert not warehouse.with_name(warehouse.name + ".wal").exists()
    assert _requests(servers) == asked  # no source was asked anything
    con = connect_read_only(warehouse)
    assert con.execute("select status, count(*) from loads group by 1").fetchall() == [
        ("succeeded", 1)]
    con.close()
