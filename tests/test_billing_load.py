"""`fleetscope collect billing`: the real FinOps sample bill, FOCUS variants, and restatement.

The sample's expected numbers are computed here with the `csv` module from the same file, not
by fleetscope; the small bills are written by hand with their sums worked out in comments.
"""

from __future__ import annotations

import csv
import gzip
from collections import defaultdict
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from fleetscope.cli import cli

SAMPLE = Path(__file__).resolve().parent / "fixtures" / "focus" / "focus_sample_1.0.csv"


def _collect(warehouse: Path, path: Path, *extra: str) -> None:
    result = CliRunner().invoke(cli, ["-q", "--warehouse", str(warehouse), "collect", "billing",
                                      "--focus", str(path), *extra])
    assert result.exit_code == 0, result.output


def _rows(warehouse: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_the_finops_sample_loads_with_its_own_sums(tmp_path: Path) -> None:
    expected: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
    with SAMPLE.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    for row in rows:
        expected[row["ProviderName"]][0] += float(row["BilledCost"])
        expected[row["ProviderName"]][1] += float(row["EffectiveCost"])
    # csv unquotes, so the unquoted NULL and a quoted "NULL" look alike here; the sample has
    # only unquoted ones (checked on the raw text below).
    null_tags = sum(1 for row in rows if row["Tags"] == "NULL")
    assert SAMPLE.read_text(encoding="utf-8").count('"NULL"') == 0
    warehouse = tmp_path / "wh.duckdb"
    _collect(warehouse, SAMPLE, "--source", "sample")

    assert len(rows) == 1000
    assert _rows(warehouse, "select count(*) from raw_billing_lines") == [(1000,)]
    loaded = _rows(warehouse, "select provider, sum(billed_cost), sum(effective_cost) "
                              "from raw_billing_lines group by 1")
    assert {p for p, _, _ in loaded} == set(expected)
    for provider, billed, effective in loaded:
        assert billed == pytest.approx(expected[provider][0], abs=1e-6)
        assert effective == pytest.approx(expected[provider][1], abs=1e-6)
    assert _rows(warehouse, "select count(*) from raw_billing_lines where tags is null") == [
        (null_tags,)]
    # line numbers point back into the file: line 2 is the first record
    assert _rows(warehouse, "select min(line_number), max(line_number) "
                            "from raw_billing_lines") == [(2, 1001)]


HEADER = ("BillingPeriodStart,BillingPeriodEnd,ChargePeriodStart,ChargePeriodEnd,ChargeCategory,"
          "BilledCost,EffectiveCost,BillingCurrency,ProviderName,ResourceId,Tags\n")


def _line(period: str, end: str, charge: str, cost: str, resource: str, tags: str = "NULL"
          ) -> str:
    return (f"{period},{end},{charge},{charge.replace('00:00', '01:00', 1)},Usage,{cost},{cost},"
            f"USD,AWS,{resource},{tags}\n")


SEP = ("2024-09-01 00:00:00", "2024-10-01 00:00:00")
OCT = ("2024-10-01 00:00:00", "2024-11-01 00:00:00")


def test_a_restated_period_replaces_the_earlier_load_and_a_rerun_changes_nothing(
        tmp_path: Path) -> None:
    first = tmp_path / "bill.csv"
    first.write_text(HEADER + _line(*SEP, "2024-09-02 00:00:00", "1.5", "i-a")
                     + _line(*SEP, "2024-09-02 00:00:00", "2.5", "i-b")
                     + _line(*OCT, "2024-10-02 00:00:00", "7", "i-a"))
    warehouse = tmp_path / "wh.duckdb"
    _collect(warehouse, first)
    table = "select billing_period_start, resource_id, billed_cost, collected_at, line_number " \
            "from raw_billing_lines order by all"
    before = _rows(warehouse, table)
    assert len(before) == 3

    _collect(warehouse, first)  # the same file again: same rows, one more load per period
    assert _rows(warehouse, table) == before
    assert _rows(warehouse, "select window_start::date::varchar, row_count from loads "
                            "order by all") == [("2024-09-01", 2), ("2024-09-01", 2),
                                                ("2024-10-01", 1), ("2024-10-01", 1)]

    restated = tmp_path / "restated.csv"  # September only: i-b dropped, i-a now 1.25
    restated.write_text(HEADER + _line(*SEP, "2024-09-02 00:00:00", "1.25", "i-a"))
    _collect(warehouse, restated)
    # September holds the restated line alone; October (7) is untouched: 1.25 + 7 = 8.25
    assert _rows(warehouse, "select resource_id, billed_cost, file_name from raw_billing_lines "
                            "order by billing_period_start") == [
        ("i-a", 1.25, "restated.csv"), ("i-a", 7.0, "bill.csv")]
    assert _rows(warehouse, "select sum(billed_cost) from raw_billing_lines") == [(8.25,)]


def test_focus_variants_read_alike(tmp_path: Path) -> None:
    """1.3 names, columns in another order, optional ones absent, ISO dates with Z and offsets,
    hourly/daily/monthly charge periods, empty Tags, gzip and Parquet, a folder read
    recursively."""
    folder = tmp_path / "exports"
    (folder / "azure").mkdir(parents=True)
    # FOCUS 1.3: ServiceProviderName; no Tags, ListCost, ResourceId; columns reordered.
    (folder / "azure" / "part-1.csv").write_text(
        "BillingCurrency,EffectiveCost,BilledCost,ChargeCategory,ChargePeriodEnd,"
        "ChargePeriodStart,BillingPeriodEnd,BillingPeriodStart,ServiceProviderName\n"
        "USD,24,30,Usage,2024-09-03T00:00:00Z,2024-09-02T00:00:00Z,2024-10-01T00:00:00Z,"
        "2024-09-01T00:00:00Z,Microsoft\n")
    with gzip.open(folder / "monthly.csv.gz", "wt") as handle:
        # +02:00: 2024-09-01T02:00+02:00 is 2024-09-01 00:00 UTC, the same period as above
        handle.write(HEADER + "2024-09-01T02:00:00+02:00,2024-10-01T02:00:00+02:00,"
                     "2024-09-01T02:00:00+02:00,2024-10-01T02:00:00+02:00,Tax,5,5,USD,AWS,,\n")
    parquet = folder / "hourly.parquet"
    with duckdb.connect() as con:
        con.execute(f"copy (select timestamp '2024-09-01' as BillingPeriodStart, "
                    f"timestamp '2024-10-01' as BillingPeriodEnd, timestamp '2024-09-05 10:00' "
                    f"as ChargePeriodStart, timestamp '2024-09-05 11:00' as ChargePeriodEnd, "
                    f"'Usage' as ChargeCategory, 0.25::decimal(12, 4) as BilledCost, "
                    f"0.2::double as EffectiveCost, 'USD' as BillingCurrency, "
                    f"'AWS' as ProviderName, '{{\"team\": \"search\"}}' as Tags) "
                    f"to '{parquet}' (format parquet)")
    (folder / "notes.txt").write_text("not an export: skipped in a folder")
    warehouse = tmp_path / "wh.duckdb"
    _collect(warehouse, folder, "--source", "mixed")

    assert _rows(warehouse, "select file_name, provider, charge_period_start::varchar, "
                            "charge_period_end::varchar, billed_cost, effective_cost, "
                            "tags->>'team', line_number from raw_billing_lines order by 1") == [
        ("azure/part-1.csv", "Microsoft", "2024-09-02 00:00:00", "2024-09-03 00:00:00", 30.0,
         24.0, None, 2),
        ("hourly.parquet", "AWS", "2024-09-05 10:00:00", "2024-09-05 11:00:00", 0.25, 0.2,
         "search", 2),
        ("monthly.csv.gz", "AWS", "2024-09-01 00:00:00", "2024-10-01 00:00:00", 5.0, 5.0, None,
         2)]
    # all three are one billing period, so one load: 3 rows
    assert _rows(warehouse, "select source_name, window_start::varchar, row_count "
                            "from loads") == [("mixed", "2024-09-01 00:00:00", 3)]


def test_run_plans_each_configured_bill(tmp_path: Path) -> None:
    from fleetscope.config import parse_config
    from fleetscope.errors import ConfigError
    from fleetscope.ops.ingest import collect
    from fleetscope.ops.sources import plan_sources

    (tmp_path / "bills").mkdir()
    (tmp_path / "bills" / "sep.csv").write_text(
        HEADER + _line(*SEP, "2024-09-02 00:00:00", "1.5", "i-a"))
    config = parse_config({"billing": {"sources": [{"path": "bills", "source": "aws"}]}})
    planned = plan_sources(config, tmp_path)
    assert [(s.kind, s.name) for s in planned] == [("billing", "aws")]
    warehouse = tmp_path / "wh.duckdb"
    collect(warehouse, planned, lock_timeout_seconds=5, progress=lambda m: None)
    assert _rows(warehouse, "select source, file_name, billed_cost from raw_billing_lines") == [
        ("aws", "sep.csv", 1.5)]
    missing = parse_config({"billing": {"sources": [{"path": "nowhere"}]}})
    with pytest.raises(ConfigError, match=r"billing.sources\[0\].path"):
        plan_sources(missing, tmp_path)
