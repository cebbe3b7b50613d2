"""Which descriptor files a catalog read opens: a folder filtered by globs, and Location targets.

A `kind: Location` entity points at more descriptor files (`spec.target`, `spec.targets`).
Relative targets are followed from the Location's own folder, and must stay under the folder
given to `--path` (the root): a target that resolves outside it (`../../etc`, a symlink out) is
refused. Remote targets (`https://...`) are never fetched: they are returned for the summary.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from fleetscope.errors import InputError

# What Backstage reads from a folder (`catalog-info.yaml` and `**/*.yaml` locations), plus
# `.yml`, which fleetscope has always read.
DEFAULT_PATTERNS: tuple[str, ...] = ("**/*.yaml", "**/*.yml")
_REMOTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_GLOB_CHARS = re.compile(r"[*?\[]")


def _visible(path: Path, root: Path) -> bool:
    """Files under hidden folders (`.git`, `.github`) are never catalog descriptors."""
    return not any(part.startswith(".") for part in path.relative_to(root).parts)


def start_files(path: Path, patterns: Sequence[str] = DEFAULT_PATTERNS) -> tuple[Path, list[Path]]:
    """(root folder, files to read first, sorted) for `--path` (a folder or one file)."""
    if path.is_file():
        return path.parent, [path]
    if not path.is_dir():
        raise InputError(f"{path}: no such file or folder")
    found = {
        p for pattern in patterns for p in path.glob(pattern) if p.is_file() and _visible(p, path)
    }
    return path, sorted(found)


def _target_list(spec: Mapping[str, Any], where: str) -> list[str]:
    targets = []
    if spec.get("target") is not None:
        targets.append(spec["target"])
    more = spec.get("targets")
    if more is not None:
        if not isinstance(more, list):
            raise InputError(f"{where}: Location field 'spec.targets' must be a list")
        targets.extend(more)
    for target in targets:
        if not isinstance(target, str) or not target:
            raise InputError(
                f"{where}: Location field 'spec.targets' must hold file paths, got {target!r}"
            )
    return targets


def _local_files(target: str, folder: Path, where: str) -> list[Path]:
    if _GLOB_CHARS.search(target):
        if Path(target).is_absolute():
            raise InputError(f"{where}: Location target '{target}' must be a relative path")
        return sorted(p for p in folder.glob(target) if p.is_file())
    return [Path(os.path.normpath(folder / target))]


def location_targets(
    entity: Mapping[str, Any], file: Path, root: Path, where: str
) -> tuple[list[Path], list[str]]:
    """(local files, remote targets) of a Location entity read from `file`.

    Errors name the Location and the target: a target outside the root, a required target
    that does not exist (`spec.presence: optional` targets may be missing).
    """
    spec = entity.get("spec") or {}
    if not isinstance(spec, Mapping):
        raise InputError(f"{where}: Location field 'spec' must be a mapping")
    required = spec.get("presence", "required") != "optional"
    files: list[Path] = []
    remote: list[str] = []
    top = root.resolve()
    for target in _target_list(spec, where):
        if _REMOTE.match(target):
            remote.append(target)
            continue
        for local in _local_files(target, file.parent, where):
            if not local.resolve().is_relative_to(top):
                raise InputError(
                    f"{where}: Location target '{target}' is outside the catalog "
                    f"folder {root}; refused"
                )
            if local.is_file():
                files.append(local)
            elif required:
                raise InputError(f"{where}: Location target '{target}': no such file {local}")
    return files, remote
