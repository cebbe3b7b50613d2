"""The data-quality gate: Great Expectations checks over staging and marts, stored and published.

`validate_warehouse` reads each frame read-only, validates it, appends one row per check to
`validation_results` in one transaction, and writes `quality.html` next to the reports.
"""

from __future__ import annotations

from fleetscope.pipelines.quality.validate import ValidationOutcome, validate_warehouse

__all__ = ["ValidationOutcome", "validate_warehouse"]
