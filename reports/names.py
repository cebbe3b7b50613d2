"""Safe file names and HTML text for names that come from labels (teams, apps, clusters).

Team names are whatever a label or the catalog says, so `<script>alert(1)</script>` or `../../etc`
must come out as harmless text and as a file name that stays inside the reports folder.
"""

from __future__ import annotations

import hashlib
import html
import re

_PLAIN = re.compile(r"^[a-z0-9_][a-z0-9_-]{0,63}$")
_UNSAFE = re.compile(r"[^a-z0-9_-]+")


def safe_file_name(name: str) -> str:
    """A file-name stem for `name`: itself when already plain, else a slug plus a short hash.

    The hash keeps two names that slug alike (`A/B`, `a-b`) apart and makes the result stable.
    """
    if _PLAIN.match(name) and name not in {"_", "__"}:
        return name
    slug = _UNSAFE.sub("-", name.lower()).strip("-_")[:48] or "team"
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:8]
    return f"{slug}-{digest}"


def esc(value: object) -> str:
    """HTML-escape any value's text, quotes included."""
    return html.escape("" if value is None else str(value), quote=True)
