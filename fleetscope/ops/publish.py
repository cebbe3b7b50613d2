"""`fleetscope publish`: copy the rendered reports to a folder or an object store (fsspec).

Only files whose content changed are uploaded: the destination keeps a manifest
(`.fleetscope-publish.json`, relative path -> sha256) of what it holds, and a file is sent when
its hash differs from the manifest's or the destination no longer lists it. The top-level
`index.html` goes last and the manifest after it, so a reader following the index never meets a
page that is not there yet; a publish killed half way leaves the old index pointing at old pages
and the next publish sends what is still missing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from fleetscope.errors import ConfigError, FleetscopeError

MANIFEST = ".fleetscope-publish.json"
INDEX = "index.html"


class PublishError(FleetscopeError):
    """The destination could not be listed or written."""


@dataclass
class PublishResult:
    """What one publish did: files sent (index last) and files left as they were."""

    destination: str
    uploaded: list[str] = field(default_factory=list)
    unchanged: int = 0


def local_hashes(source: Path) -> dict[str, str]:
    """sha256 of every file under `source` by POSIX relative path; hidden temporary files (a
    render's `.name.tmp`) and the manifest itself are left out."""
    hashes: dict[str, str] = {}
    for path in sorted(source.rglob("*")):
        rel = path.relative_to(source).as_posix()
        if not path.is_file() or any(part.startswith(".") for part in rel.split("/")):
            continue
        hashes[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return hashes


def _filesystem(to: str) -> tuple[Any, str]:
    import fsspec

    try:
        fs, root = fsspec.core.url_to_fs(to)
    except (ImportError, ValueError) as exc:
        # e.g. s3:// without s3fs installed: say which package, not a traceback
        raise ConfigError(f"publish --to {to!r}: {exc}") from exc
    return fs, root.rstrip("/")


def _remote_state(fs: Any, root: str) -> tuple[dict[str, str], set[str]]:
    """The destination's manifest and the relative paths it actually lists."""
    if not fs.exists(root):
        return {}, set()
    listed = {p[len(root):].lstrip("/") for p in fs.find(root)} if fs.isdir(root) else set()
    try:
        with fs.open(f"{root}/{MANIFEST}", "rb") as handle:
            manifest = json.loads(handle.read().decode("utf-8"))
    except FileNotFoundError:
        manifest = {}
    except ValueError:
        manifest = {}  # a damaged manifest: re-send everything rather than trust it
    return (manifest if isinstance(manifest, dict) else {}), listed


def publish_site(source: Path, to: str, *,
                 progress: Callable[[str], None] | None = None) -> PublishResult:
    """Copy changed files of the rendered `source` folder to `to`, the index last."""
    if not (source / INDEX).is_file():
        raise PublishError(f"{source}: no {INDEX}; render the reports first "
                           "(`fleetscope report`)")
    fs, root = _filesystem(to)
    hashes = local_hashes(source)
    try:
        manifest, listed = _remote_state(fs, root)
        changed = [rel for rel, digest in hashes.items()
                   if manifest.get(rel) != digest or rel not in listed]
        # The index links to everything else: it goes up only once the rest is there.
        changed.sort(key=lambda rel: (rel == INDEX, rel))
        fs.makedirs(root, exist_ok=True)
        for rel in changed:
            parent = f"{root}/{rel}".rsplit("/", 1)[0]
            fs.makedirs(parent, exist_ok=True)
            fs.put_file(str(source / rel), f"{root}/{rel}")
        with fs.open(f"{root}/{MANIFEST}", "wb") as handle:
            handle.write(json.dumps(hashes, indent=1, sort_keys=True).encode("utf-8"))
    except OSError as exc:
        raise PublishError(f"publish to {to}: {exc}") from exc
    result = PublishResult(to, changed, len(hashes) - len(changed))
    if progress is not None:
        progress(f"publish: {len(changed)} file(s) uploaded, {result.unchanged} unchanged, "
                 f"to {to}")
    return result


def site_url(publish_to: str | None, configured: str | None) -> str | None:
    """Where readers open the published site: `[publish] site_url`, else the destination
    (a folder as a `file://` URL), always ending in `/` so relative links join under it."""
    url = configured or publish_to
    if not url:
        return None
    if "://" not in url:
        url = Path(url).resolve().as_uri()
    return url if url.endswith("/") else url + "/"
