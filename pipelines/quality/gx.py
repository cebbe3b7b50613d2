"""Great Expectations over pandas DataFrames (GX's SQL data source fails on DuckDB in 1.24).

Imported only when validation runs: `import great_expectations` takes 2-3 s.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import pandas as pd

from fleetscope.errors import ValidationFailed
from fleetscope.pipelines.quality.checks import Check


@dataclass(frozen=True)
class CheckResult:
    """The outcome of one check, as stored in `validation_results`."""

    check: Check
    table_name: str
    success: bool
    element_count: int | None
    unexpected_count: int | None
    observed: str
    details: dict[str, Any]


def new_datasource() -> Any:
    """An ephemeral GX context's pandas data source, shared by every frame of one validation."""
    try:
        import great_expectations as gx
    except SystemExit as exc:
        # GX imports pyspark when it is installed, and pyspark.sql.connect exits (code 0) when it
        # takes the process for a doctest run (a `__main__` without `__file__`, as pytest-xdist's
        # workers have) and Spark Connect's packages are missing: the gate fails, never passes.
        raise ValidationFailed(
            f"the quality gate could not load great_expectations: an import exited "
            f"(code {exc.code}) instead of raising"
        ) from None
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    return context.data_sources.add_pandas("fleetscope")


def run_suite(datasource: Any, frame_name: str, table_name: str, frame: pd.DataFrame,
              checks: list[Check], ids: tuple[str, ...] = ()) -> list[CheckResult]:
    """Validate one DataFrame against its checks in one GX suite."""
    import great_expectations as gx

    results: list[CheckResult] = []
    runnable: list[Check] = []
    for check in checks:
        missing = [c for c in _columns(check) if c not in frame.columns]
        if missing:
            results.append(CheckResult(check, table_name, False, None, None,
                                       f"column(s) {', '.join(missing)} missing from "
                                       f"{table_name}", {"missing_columns": missing}))
        else:
            runnable.append(check)
    if not runnable:
        return results
    asset = datasource.add_dataframe_asset(_asset_name(frame_name))
    batch = asset.add_batch_definition_whole_dataframe("all").get_batch(
        batch_parameters={"dataframe": frame})
    suite = gx.ExpectationSuite(name=_asset_name(frame_name))
    for check in runnable:
        expectation_class = getattr(gx.expectations, check.expectation)
        suite.add_expectation(expectation_class(**check.kwargs, meta={"check": check.name}))
    by_name = {check.name: check for check in runnable}
    result_format: dict[str, Any] = {"result_format": "SUMMARY", "partial_unexpected_count": 5}
    present_ids = [c for c in ids if c in frame.columns]
    if present_ids:  # offending rows are then reported with the columns that name them
        result_format["unexpected_index_column_names"] = present_ids
    for outcome in batch.validate(suite, result_format=result_format).results:
        check = by_name[outcome.expectation_config.meta["check"]]
        results.append(_result(check, table_name, outcome, len(frame), bool(present_ids)))
    return results


def _columns(check: Check) -> list[str]:
    if "column_list" in check.kwargs:
        return list(check.kwargs["column_list"])
    return [check.kwargs["column"]] if "column" in check.kwargs else []


def _asset_name(frame_name: str) -> str:
    return frame_name.replace(":", "_")


def _result(check: Check, table_name: str, outcome: Any, rows: int, with_ids: bool
            ) -> CheckResult:
    raw = dict(outcome.result or {})
    raised = _raised(outcome.exception_info)
    element_count = raw.get("element_count", rows)
    unexpected = raw.get("unexpected_count")
    key = "partial_unexpected_index_list" if with_ids else "partial_unexpected_list"
    sample = [_plain(v) for v in (raw.get(key) or [])[:5]]
    if raised:
        observed = f"check could not run: {raised}"
    elif outcome.success:
        observed = f"{element_count} row(s) checked, all pass"
    else:
        observed = f"{unexpected} of {element_count} row(s) fail"
        if sample:
            observed += f", e.g. {json.dumps(sample, default=str)[:300]}"
    details = {"expectation": check.expectation, "kwargs": _plain(check.kwargs),
               "unexpected_sample": sample}
    if raised:
        details["exception"] = raised
    return CheckResult(check, table_name, bool(outcome.success) and not raised,
                       int(element_count) if element_count is not None else None,
                       int(unexpected) if unexpected is not None else None, observed, details)


def _raised(info: Any) -> str | None:
    """GX reports errors per metric; the first message is enough to act on."""
    if not isinstance(info, dict):
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message") or "error")
    for value in info.values():
        if isinstance(value, dict) and value.get("raised_exception"):
            return str(value.get("exception_message") or "error").splitlines()[0][:300]
    return None


def _plain(value: Any) -> Any:
    """JSON-friendly values (timestamps as ISO, NaN as null)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, float) and value != value:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "item"):  # numpy scalars
        return value.item()
    return value
