"""Ownership and app-identity rules from the config (and the override file) as `ref_*` tables."""

from __future__ import annotations

import pandas as pd

from fleetscope.config import Config


def ownership_tables(config: Config) -> dict[str, pd.DataFrame]:
    """`ref_label_keys` (kind, key, priority): which labels name the team or app, in order."""
    o = config.ownership
    rows = []
    for kind, keys in (("team", o.team_label_keys), ("namespace_team", o.namespace_team_keys),
                       ("app", o.app_label_keys),
                       ("helios_component", o.helios_component_metadata_keys)):
        rows.extend({"key_kind": kind, "label_key": key, "priority": i}
                    for i, key in enumerate(keys))
    keys = pd.DataFrame(rows, columns=["key_kind", "label_key", "priority"])
    return {"ref_label_keys": keys}
