"""Benchmark: loading a month of hourly FOCUS lines, against pandas' read_csv of the same file.

Generates (into benchmarks/.cache, not committed) one month of hourly FOCUS 1.2 CSV lines for
500 nodes, 1,000 volumes and 5,000 other resources: 6,500 x 720 hours = 4,680,000 rows
(`--scale 0.1` keeps 10% of each). Then, each in its own process so that peak RSS is its own
(tracemalloc does not see DuckDB's memory), times `pd.read_csv` of the file and
`fleetscope collect billing` of it into a fresh warehouse, then `fleetscope transform` of that
warehouse (the reconciliation: spreading every line over its days, matching, the billing marts),
and prints rows/s, peak RSS and the ratios. The warehouse holds the bill alone, so no line
matches a node and every line-day reaches `mart_cloud_cost_daily`: the matching join still runs
over every line, the reconciliation of team cost has no node to scale.

    python benchmarks/billing_load.py --scale 0.25
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

CACHE = Path(__file__).resolve().parent / ".cache"
HOURS = 720  # September 2024
COLUMNS = ("BillingAccountId,BillingCurrency,BillingPeriodStart,BillingPeriodEnd,"
           "ChargePeriodStart,ChargePeriodEnd,ChargeCategory,ChargeClass,ProviderName,"
           "ServiceName,ServiceCategory,ResourceId,ResourceType,RegionId,SkuId,PricingCategory,"
           "CommitmentDiscountId,BilledCost,EffectiveCost,ListCost,ContractedCost,Tags")


def generate(path: Path, scale: float) -> int:
    """Write the bill with DuckDB (seconds, not minutes); returns its row count."""
    import duckdb

    nodes, volumes, others = (max(1, round(n * scale)) for n in (500, 1000, 5000))
    resources = nodes + volumes + others
    sql = f"""
    copy (
      with r as (select range as i from range({resources})),
           h as (select range as k from range({HOURS}))
      select '123456789012' as BillingAccountId, 'USD' as BillingCurrency,
        '2024-09-01T00:00:00Z' as BillingPeriodStart, '2024-10-01T00:00:00Z' as BillingPeriodEnd,
        strftime(timestamp '2024-09-01' + k * interval 1 hour, '%Y-%m-%dT%H:%M:%SZ')
          as ChargePeriodStart,
        strftime(timestamp '2024-09-01' + (k + 1) * interval 1 hour, '%Y-%m-%dT%H:%M:%SZ')
          as ChargePeriodEnd,
        'Usage' as ChargeCategory, null as ChargeClass, 'AWS' as ProviderName,
        case when i < {nodes} then 'Amazon Elastic Compute Cloud'
             when i < {nodes + volumes} then 'Amazon Elastic Block Store'
             else 'Amazon Relational Database Service' end as ServiceName,
        case when i < {nodes + volumes} then 'Compute' else 'Databases' end as ServiceCategory,
        case when i < {nodes} then 'i-' || lpad(to_hex(i), 17, '0')
             when i < {nodes + volumes} then 'vol-' || lpad(to_hex(i), 17, '0')
             else 'arn:aws:rds:eu-west-1:123456789012:db:db-' || i end as ResourceId,
        case when i < {nodes} then 'Instance' when i < {nodes + volumes} then 'Volume'
             else 'DBInstance' end as ResourceType,
        'eu-west-1' as RegionId, 'SKU' || (i % 40) as SkuId,
        case when i % 5 = 0 then 'Committed' when i % 7 = 0 then 'Dynamic'
             else 'Standard' end as PricingCategory,
        case when i % 5 = 0 then 'arn:aws:savingsplans::123456789012:savingsplan/sp-1'
             end as CommitmentDiscountId,
        round(0.01 + (i % 97) * 0.0031, 6) as BilledCost,
        round((0.01 + (i % 97) * 0.0031) * case when i % 5 = 0 then 0.72 else 1 end, 6)
          as EffectiveCost,
        round(0.01 + (i % 97) * 0.0031, 6) as ListCost,
        round(0.01 + (i % 97) * 0.0031, 6) as ContractedCost,
        case when i % 3 = 0 then null
             else '{{"team": "team-' || (i % 23) || '", "env": "prod"}}' end as Tags
      from r, h order by k, i
    ) to '{path}' (header, delimiter ',', nullstr 'NULL')
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect() as con:
        con.execute(sql)
    return resources * HOURS


def _child(mode: str, path: Path, warehouse: Path) -> None:
    """Runs in its own process: one measurement, printed as JSON."""
    started = time.perf_counter()
    if mode.startswith("generate"):
        rows = generate(path, float(mode.split(":")[1]))
    elif mode == "pandas":
        import pandas as pd

        rows = len(pd.read_csv(path))
    else:
        from fleetscope.cli import cli

        command = (["transform", "--full-refresh"] if mode == "transform" else
                   ["collect", "billing", "--focus", str(path), "--source", "bench"])
        cli.main(["-q", "--warehouse", str(warehouse), *command], standalone_mode=False)
        import duckdb

        with duckdb.connect(str(warehouse), read_only=True) as con:
            # The transform's rows/s count the bill lines it reconciled, like the load's.
            rows = con.execute("select count(*) from raw_billing_lines").fetchone()[0]
    seconds = time.perf_counter() - started
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(json.dumps({"rows": rows, "seconds": seconds, "peak_mib": peak_kib / 1024}))


def _measure(mode: str, path: Path, warehouse: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", mode, str(path), str(warehouse)],
                         check=True, capture_output=True, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--child", nargs=3, metavar=("MODE", "CSV", "WAREHOUSE"),
                        help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        _child(args.child[0], Path(args.child[1]), Path(args.child[2]))
        return
    path = CACHE / f"focus_hourly_{args.scale:g}.csv"
    # Every step in its own process, this one included: a child forked from a process that
    # once grew (DuckDB writing the file) would inherit its peak RSS.
    made = _measure(f"generate:{args.scale}", path, path)
    rows = int(made["rows"])
    print(f"generated {rows:,} rows, {path.stat().st_size / 2**20:,.0f} MiB in "
          f"{made['seconds']:.1f}s: {path}")
    warehouse = CACHE / f"bench_{args.scale:g}.duckdb"
    warehouse.unlink(missing_ok=True)
    results = {mode: _measure(mode, path, warehouse)
               for mode in ("pandas", "fleetscope", "transform")}
    for mode, r in results.items():
        print(f"{mode:>10}: {r['rows']:,} rows in {r['seconds']:.1f}s = "
              f"{r['rows'] / r['seconds']:,.0f} rows/s, peak RSS {r['peak_mib']:,.0f} MiB")
    pandas, ours = results["pandas"], results["fleetscope"]
    print(f"fleetscope / pandas: time x{ours['seconds'] / pandas['seconds']:.2f}, "
          f"peak RSS x{ours['peak_mib'] / pandas['peak_mib']:.2f} (fleetscope also converts, "
          "checks and writes the warehouse; pandas only parses)")
    transform = results["transform"]
    print(f"load + transform: {ours['seconds'] + transform['seconds']:.1f}s, peak RSS "
          f"{max(ours['peak_mib'], transform['peak_mib']):,.0f} MiB")
    warehouse.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
