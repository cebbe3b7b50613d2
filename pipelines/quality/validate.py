"""Run every check, store the results, publish the page."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from fleetscope.config import Config
from fleetscope.pipelines.quality.checks import CRITICAL, Check, Frame, build
from fleetscope.pipelines.quality.gx import CheckResult


@dataclass(frozen=True)
class ValidationOutcome:
    """A validation run: its id, time, every result, and where the page was written."""

    run_id: str
    validated_at: datetime
    results: list[CheckResult]
    page_path: Path | None

    @property
    def count_failed_critical(self) -> int:
        return sum(1 for r in self.results if not r.success and r.check.severity == CRITICAL)

    @property
    def count_failed_warning(self) -> int:
        return sum(1 for r in self.results if not r.success and r.check.severity != CRITICAL)

    @property
    def status(self) -> str:
        """passed | warnings | failed, as in the `validation_status` view."""
        if self.count_failed_critical:
            return "failed"
        return "warnings" if self.count_failed_warning else "passed"

    def summary_lines(self) -> list[str]:
        """Failed checks first, then a one-line total (for the CLI)."""
        lines = [f"{r.check.severity.upper():8} {r.check.name}: {r.observed}"
                 for r in self.results if not r.success]
        lines.append(f"validation {self.status}: {len(self.results)} checks, "
                     f"{self.count_failed_critical} critical and {self.count_failed_warning} "
                     f"warning failure(s)" + (f"; page {self.page_path}" if self.page_path
                                              else ""))
        return lines


def validate_warehouse(warehouse_path: str | Path, config: Config, *,
                       page_dir: Path | None = None, now: datetime | None = None
                       ) -> ValidationOutcome:
    """Validate, store one row per check in `validation_results`, write `quality.html`."""
    from fleetscope.warehouse import Warehouse, utc_now

    validated_at = now or utc_now()
    frames, checks = build(config, validated_at)
    results = _run(Path(warehouse_path), frames, checks)
    run_id = f"validate:{validated_at:%Y%m%dT%H%M%S}:{uuid.uuid4().hex[:8]}"
    with Warehouse(warehouse_path) as wh:
        wh.append_rows("validation_results", _rows(run_id, validated_at, results))
    page_path = None
    if page_dir is not None:
        from fleetscope.pipelines.quality.page import write_page

        page_path = write_page(Path(page_dir), run_id, validated_at, results)
    return ValidationOutcome(run_id, validated_at, results, page_path)


def _run(warehouse_path: Path, frames: list[Frame], checks: list[Check]) -> list[CheckResult]:
    from fleetscope.pipelines.quality.gx import new_datasource, run_suite
    from fleetscope.warehouse import connect_read_only

    by_frame: dict[str, list[Check]] = {}
    for check in checks:
        by_frame.setdefault(check.frame, []).append(check)
    results: list[CheckResult] = []
    con = connect_read_only(warehouse_path, writer=True)  # the writer's state, not the copy
    try:
        present = {row[0] for row in con.execute(
            "select table_name from information_schema.tables").fetchall()}
        loaded = {}
        for frame in frames:
            missing = [t for t in frame.tables if t not in present]
            if missing:
                results.extend(
                    CheckResult(c, frame.tables[0], False, None, None,
                                f"table(s) {', '.join(missing)} missing: run `fleetscope "
                                "transform` first", {"missing_tables": missing})
                    for c in by_frame.get(frame.name, []))
                continue
            loaded[frame.name] = con.execute(frame.sql, list(frame.params)).df()
    finally:
        con.close()  # read everything first: the warehouse is free while GX runs
    datasource = new_datasource()
    for frame in frames:
        if frame.name in loaded:
            results.extend(run_suite(datasource, frame.name, frame.tables[0], loaded[frame.name],
                                     by_frame.get(frame.name, []), frame.ids))
    order = {check.name: i for i, check in enumerate(checks)}
    return sorted(results, key=lambda r: order[r.check.name])


def _rows(run_id: str, validated_at: datetime, results: list[CheckResult]):
    import pandas as pd

    return pd.DataFrame([{
        "run_id": run_id, "validated_at": validated_at, "check_name": r.check.name,
        "table_name": r.table_name, "check_kind": r.check.kind, "severity": r.check.severity,
        "success": r.success, "element_count": r.element_count,
        "unexpected_count": r.unexpected_count, "observed": r.observed,
        "details": json.dumps(r.details, default=str, ensure_ascii=False),
    } for r in results], columns=["run_id", "validated_at", "check_name", "table_name",
                                 "check_kind", "severity", "success", "element_count",
                                 "unexpected_count", "observed", "details"]).astype(
        {"element_count": "Int64", "unexpected_count": "Int64"})
