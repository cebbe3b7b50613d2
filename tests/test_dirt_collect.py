"""`fleetscope collect dirt`: the DiRT log's strict reader, its snapshot reloads, and the mart."""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from fleetscope.cli import cli
from fleetscope.collectors.dirt.reader import read_exercises
from fleetscope.config import load_config
from fleetscope.errors import InputError
from fleetscope.ops.sources import plan_sources

EXAMPLE = Path(__file__).resolve().parent / "fixtures" / "dirt" / "example.yaml"
MART = (
    "select cluster, exercise_id, exercise_date::varchar, scenario, outcome, validated_count, "
    "time_to_recover_minutes, follow_ups_count, open_follow_ups_count, cluster_exercise_number, "
    "days_since_previous_exercise, line from mart_dirt_exercises order by cluster, exercise_date"
)


def _invoke(warehouse: Path, *args: str):
    return CliRunner().invoke(cli, ["-q", "--warehouse", str(warehouse), *args])


def _run(warehouse: Path, *args: str) -> None:
    result = _invoke(warehouse, *args)
    assert result.exit_code == 0, result.output


def _query(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_example_loads_and_the_mart_equals_a_hand_count(tmp_path: Path) -> None:
    warehouse = tmp_path / "wh.duckdb"
    _run(warehouse, "collect", "dirt", "--path", str(EXAMPLE))
    _run(warehouse, "transform")
    # one exercise per line, with its arithmetic
    # fmt: off
    assert _query(warehouse, MART) == [
        # prod-eu's first exercise: no previous one; 1 follow-up, done
        ("prod-eu", "2026-09-08-prod-eu-backup-restore", "2026-09-08", "backup-restore", "pass",
         2, 42.0, 1, 0, 1, None, 3),
        # the given id; 2026-09-08 -> 2026-10-14 = 22 (rest of September) + 14 = 36 days;
        # 3 follow-ups, 2 open
        ("prod-eu", "dirt-2026-10-prod-eu-cp", "2026-10-14", "control-plane-down", "partial",
         3, 95.0, 3, 2, 2, 36, 15),
        # 2026-10-14 -> 2026-11-24 = 17 (rest of October) + 24 = 41 days; no follow-ups
        ("prod-eu", "2026-11-24-prod-eu-node-pool-loss", "2026-11-24", "node-pool-loss", "pass",
         1, 18.0, 0, 0, 3, 41, 45),
        # prod-us' first: its history is its own, not prod-eu's; did not recover (null)
        ("prod-us", "2026-11-03-prod-us-zone-outage", "2026-11-03", "zone-outage", "fail",
         2, None, 1, 1, 1, None, 35),
    ]
    # fmt: on


def test_reloading_the_file_replaces_its_rows(tmp_path: Path) -> None:
    warehouse, log = tmp_path / "wh.duckdb", tmp_path / "dirt.yaml"
    shutil.copy(EXAMPLE, log)
    _run(warehouse, "collect", "dirt", "--path", str(log))
    # the zone outage is struck from the log and the node-pool loss re-graded
    text = log.read_text()
    kept = text[: text.index("  - date: 2026-11-03")] + text[text.index("  - date: 2026-11-24") :]
    log.write_text(
        kept.replace(
            "scaler replaces the pool]\n    outcome: pass",
            "scaler replaces the pool]\n    outcome: partial",
        )
    )
    _run(warehouse, "collect", "dirt", "--path", str(log))
    rows = _query(
        warehouse,
        "select cluster_name, exercise_date::varchar, outcome "
        "from raw_dirt_exercises order by exercise_date",
    )
    # 4 - 1 = 3 exercises, all from the second load; none of prod-us left
    assert rows == [
        ("prod-eu", "2026-09-08", "pass"),
        ("prod-eu", "2026-10-14", "partial"),
        ("prod-eu", "2026-11-24", "partial"),
    ]
    assert _query(warehouse, "select count(*) from loads where source_kind = 'dirt'") == [(2,)]


def test_a_bad_field_is_named_and_the_warehouse_is_unchanged(tmp_path: Path) -> None:
    warehouse, bad = tmp_path / "wh.duckdb", tmp_path / "bad.yaml"
    _run(warehouse, "collect", "dirt", "--path", str(EXAMPLE))
    bad.write_text(EXAMPLE.read_text().replace("outcome: fail", "outcome: failed"))
    result = _invoke(warehouse, "collect", "dirt", "--path", str(bad))
    assert result.exit_code == 3
    # `outcome: failed` is line 39 of the file (the zone-outage exercise)
    assert (
        f"Error: {bad}:39: exercises[2].outcome: 'failed' is not one of pass, partial, fail"
        in result.output
    )
    assert _query(warehouse, "select count(*) from raw_dirt_exercises") == [(4,)]


LOG = """exercises:
  - date: 2026-10-14
    cluster: prod
    scenario: dns-outage
    validated: [resolvers fail over]
    outcome: pass
"""


@pytest.mark.parametrize(
    ("text", "error"),
    [
        (
            LOG + LOG.split("\n", 1)[1],
            "7: id: exercise '2026-10-14-prod-dns-outage' repeats the one on line 2",
        ),
        ("exercises: []\n", "1: exercises: the list is empty"),
        (LOG + "owner: sre\n", "7: (file).owner: unknown key (allowed: exercises)"),
        (
            LOG.replace("[resolvers fail over]", "[]"),
            "5: exercises[0].validated: list at least one",
        ),
        (
            LOG + "    time_to_recover_minutes: true\n",
            "7: exercises[0].time_to_recover_minutes: expected a number of minutes, got True",
        ),
        (
            LOG + "    playbook: wiki/dns\n",
            "7: exercises[0].playbook: 'wiki/dns' is not an http(s)",
        ),
        (LOG + "    outcome: fail\n", "7: exercises[0].outcome: key written twice"),
        (
            LOG.replace("2026-10-14", "2026-02-30"),
            "2: exercises[0].date: '2026-02-30' is not a date",
        ),
        ("exercises:\n  - date: [unclosed\n", "3: invalid YAML: did not find expected ','"),
        (
            LOG + "    follow_ups:\n      - status: open\n",
            "8: exercises[0].follow_ups[0].title: required key is missing",
        ),
    ],
)
def test_strict_checks_name_file_line_and_field(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "dirt.yaml"
    path.write_text(text)
    with pytest.raises(InputError) as caught:
        read_exercises(path)
    assert str(caught.value).startswith(f"{path}:{error}")


def test_run_plans_the_configured_dirt_log(tmp_path: Path) -> None:
    shutil.copy(EXAMPLE, tmp_path / "dirt.yaml")
    config = tmp_path / "fleetscope.toml"
    config.write_text('[dirt]\npath = "dirt.yaml"\n')
    planned = plan_sources(load_config(config), tmp_path)
    assert [(s.kind, s.name, s.label) for s in planned] == [
        ("dirt", str((tmp_path / "dirt.yaml").resolve()), "dirt dirt.yaml")
    ]
