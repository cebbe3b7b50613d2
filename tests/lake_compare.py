"""Compare a model as DuckDB built it (a warehouse table) with the lake's version (Spark's)."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from fleetscope.warehouse.lake import Lake


def lake_frame(lake: Lake, model: str) -> pd.DataFrame:
    files = lake.files("models", model)
    if not files:
        return pd.DataFrame()
    con = duckdb.connect()
    try:
        return con.execute(
            "select * from read_parquet(?, hive_partitioning = true, union_by_name = true)", [files]
        ).df()
    finally:
        con.close()


def differences(expected: pd.DataFrame, actual: pd.DataFrame) -> list[str]:
    """What differs: row counts exactly, numbers to the cent (0.005), everything else exactly."""
    if len(expected) != len(actual):
        return [f"rows: {len(expected)} != {len(actual)}"]
    if len(expected) == 0:
        return []
    missing = sorted(set(expected.columns) - set(actual.columns))
    if missing:
        return [f"columns missing: {missing}"]
    cols = list(expected.columns)
    left = _sorted(expected[cols])
    right = _sorted(actual[cols])
    out = []
    for col in cols:
        a, b = left[col], right[col]
        if pd.api.types.is_numeric_dtype(a) and not pd.api.types.is_bool_dtype(a):
            a, b = a.astype(float).to_numpy(), pd.to_numeric(b).astype(float).to_numpy()
            same = np.isclose(a, b, rtol=0, atol=0.005, equal_nan=True)
        else:  # None, NaN, NaT and pd.NA are all NULL
            same = (a.astype(str).to_numpy() == b.astype(str).to_numpy()) | (
                a.isna().to_numpy() & b.isna().to_numpy()
            )
        if not same.all():
            i = int(np.argmin(same))
            out.append(f"{col}: {int((~same).sum())} row(s) differ, e.g. {a[i]!r} != {b[i]!r}")
    return out


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    frame = frame.copy()
    for col in frame.columns:
        if pd.api.types.is_datetime64_any_dtype(frame[col]):
            frame[col] = frame[col].astype("datetime64[us]")
        elif pd.api.types.is_numeric_dtype(frame[col]) and not pd.api.types.is_bool_dtype(
            frame[col]
        ):
            frame[col] = frame[col].astype(float).round(4)
        else:  # one spelling of NULL, so both sides sort alike
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    keys = frame.astype(str)
    order = keys.sort_values(list(keys.columns)).index
    return frame.loc[order].reset_index(drop=True)
