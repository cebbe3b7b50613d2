"""The `[delivery]` config as reference tables (`ref_delivery*`) for the delivery SQL models."""

from __future__ import annotations

import pandas as pd

from fleetscope.config import Config
from fleetscope.errors import ConfigError

SHA_SOURCES = ("image_tag", "annotations", "helios_version")


def delivery_tables(config: Config) -> dict[str, pd.DataFrame]:
    """`ref_delivery` (one row of settings), `ref_delivery_sha_sources`, `ref_delivery_annotations`.

    The interval's bounds are stored as quantiles (90 % -> 0.05 and 0.95) so the SQL only reads.
    """
    d = config.delivery
    unknown = [s for s in d.sha_sources if s not in SHA_SOURCES]
    if unknown:
        raise ConfigError(
            f"delivery.sha_sources: unknown source(s) {unknown} (known: {list(SHA_SOURCES)})"
        )
    for key in ("bucket_weeks", "impact_weeks", "bootstrap_resamples"):
        if getattr(d, key) < 1:
            raise ConfigError(f"delivery.{key}: expected an integer >= 1, got {getattr(d, key)}")
    if not 0 < d.interval_pct < 100:
        raise ConfigError(f"delivery.interval_pct: expected 0 < pct < 100, got {d.interval_pct}")
    tail = (1 - d.interval_pct / 100) / 2
    settings = pd.DataFrame(
        [
            {
                "bucket_weeks": d.bucket_weeks,
                "impact_weeks": d.impact_weeks,
                "bootstrap_resamples": d.bootstrap_resamples,
                "bootstrap_seed": d.bootstrap_seed,
                "interval_low_quantile": tail,
                "interval_high_quantile": 1 - tail,
            }
        ]
    )
    sources = pd.DataFrame(
        [{"sha_source": s, "priority": i} for i, s in enumerate(d.sha_sources)],
        columns=["sha_source", "priority"],
    ).astype({"sha_source": "string", "priority": "int64"})
    annotations = pd.DataFrame(
        [{"annotation_key": k, "priority": i} for i, k in enumerate(d.version_annotations)],
        columns=["annotation_key", "priority"],
    ).astype({"annotation_key": "string", "priority": "int64"})
    return {
        "ref_delivery": settings,
        "ref_delivery_sha_sources": sources,
        "ref_delivery_annotations": annotations,
    }
