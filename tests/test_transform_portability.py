"""The scale path: every SQL model parses and transpiles to Spark SQL with sqlglot."""

from __future__ import annotations

import pytest
import sqlglot

from fleetscope.pipelines.runner import discover_models

MODELS = discover_models()


@pytest.mark.parametrize("model", MODELS, ids=[m.name for m in MODELS])
def test_model_transpiles_to_spark(model) -> None:  # type: ignore[no-untyped-def]
    spark = sqlglot.transpile(model.sql, read="duckdb", write="spark",
                              unsupported_level=sqlglot.ErrorLevel.RAISE)
    assert len(spark) == 1 and spark[0].lower().startswith(("with", "select"))


def test_every_model_states_its_grain() -> None:
    assert [m.name for m in MODELS if not m.grain] == []
