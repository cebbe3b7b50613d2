"""What the demo generator planned for an app, in DESIGN's migration terms (shared by the demo
tests, which check the generator and the whole pipeline against the same plan)."""

from __future__ import annotations

from typing import Any


def planned_status(app: Any, hours: int) -> str:
    """The DESIGN status of an app in the last hour of the window, from its plan; `gone` is an
    app that never ran on Helios and no longer runs anywhere (the warehouse calls it retired)."""
    last = hours - 0.5
    on_helios = (app.helios_start is not None and app.helios_start <= last
                 and (app.helios_end is None or app.helios_end > last))
    # A move starts on the first cluster it reaches (staging first, production later).
    k8s_start = (None if app.k8s_start is None
                 else app.k8s_start + min(app.cluster_offsets.values(), default=0.0))
    on_k8s = (k8s_start is not None and k8s_start <= last
              and (app.k8s_end is None or app.k8s_end > last))
    ever_helios = app.helios_start is not None
    if on_helios:
        return "migrating" if on_k8s else "legacy"
    if on_k8s:
        return "migrated" if ever_helios else "native"
    return "retired" if ever_helios else "gone"
