"""`quality.html`: the data-quality page published next to the reports (self-contained)."""

from __future__ import annotations

import html
import os
import tempfile
from datetime import datetime
from pathlib import Path

from fleetscope.pipelines.quality.checks import CRITICAL
from fleetscope.pipelines.quality.gx import CheckResult

PAGE = "quality.html"

_STYLE = """
body{font-family:system-ui,sans-serif;margin:2rem;color:#222;max-width:1100px}
.banner{padding:.8rem 1rem;border-radius:6px;font-weight:600;margin-bottom:1rem}
.passed{background:#e6f4ea}.warnings{background:#fff4d6}.failed{background:#fde2e1}
table{border-collapse:collapse;width:100%;font-size:.9rem}
th,td{border-bottom:1px solid #ddd;padding:.35rem .5rem;text-align:left;vertical-align:top}
td.ok{color:#1e7d32}td.bad{color:#b3261e;font-weight:600}
"""


def write_page(out_dir: Path, run_id: str, validated_at: datetime,
               results: list[CheckResult]) -> Path:
    """Write the page atomically (a reader never sees half a page); return its path."""
    out_dir.mkdir(parents=True, exist_ok=True)
    failed_critical = sum(1 for r in results if not r.success and r.check.severity == CRITICAL)
    failed_warning = sum(1 for r in results if not r.success and r.check.severity != CRITICAL)
    status = "failed" if failed_critical else ("warnings" if failed_warning else "passed")
    rows = []
    ordered = sorted(results, key=lambda r: (r.success, r.check.severity != CRITICAL))
    for r in ordered:
        rows.append(
            "<tr>"
            f"<td class=\"{'ok' if r.success else 'bad'}\">{'pass' if r.success else 'FAIL'}</td>"
            f"<td>{html.escape(r.check.severity)}</td>"
            f"<td>{html.escape(r.check.name)}</td>"
            f"<td>{html.escape(r.check.meaning)}</td>"
            f"<td>{html.escape(r.observed)}</td></tr>")
    text = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>fleetscope data quality</title>
<style>{_STYLE}</style></head><body>
<h1>Data quality</h1>
<div class="banner {status}">Status: {status} — {len(results)} checks,
{failed_critical} critical and {failed_warning} warning failure(s).
Validated {validated_at:%Y-%m-%d %H:%M} UTC (run {html.escape(run_id)}).</div>
<p>A critical failure stops the scheduled run before reports are published, so the previous
reports stay. Warnings are shown here and in the reports' banner.</p>
<table><thead><tr><th>result</th><th>severity</th><th>check</th><th>meaning</th>
<th>observed</th></tr></thead><tbody>
{chr(10).join(rows)}
</tbody></table></body></html>
"""
    target = out_dir / PAGE
    fd, tmp = tempfile.mkstemp(dir=out_dir, prefix=".quality-", suffix=".html")
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    os.chmod(tmp, 0o644)
    os.replace(tmp, target)
    return target
