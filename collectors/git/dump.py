"""A JSON dump of commit histories (docs/sources.md, "Git and incidents"):

    {"repos": [{"repo": "org/name", "branch": "main", "head": "<sha>",
                "commits": [{"sha": "<40 hex>", "parents": ["<sha>", ...],
                             "author_email": "a@x" | "author_hash": "<16 hex>",
                             "authored_at": "2026-11-20T06:00:00Z",
                             "committed_at": "2026-11-20T06:00:00Z"}, ...]}, ...]}

`head` defaults to the first commit listed (git log order: newest first).
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

from fleetscope.collectors.git.commits import (
    Commit,
    RepoHistory,
    author_hash,
    check_sha,
    history_batch,
    parse_time,
)
from fleetscope.errors import InputError


def _commit(raw: Any, where: str) -> Commit:
    if not isinstance(raw, dict):
        raise InputError(f"{where}: expected an object")
    parents = raw.get("parents", [])
    if not isinstance(parents, list):
        raise InputError(f"{where}.parents: expected a list of shas")
    hashed = raw.get("author_hash") or author_hash(raw.get("author_email"))
    return Commit(check_sha(raw.get("sha"), where=f"{where}.sha"),
                  tuple(check_sha(p, where=f"{where}.parents[{i}]")
                        for i, p in enumerate(parents)),
                  hashed,
                  parse_time(raw.get("authored_at", raw.get("committed_at")),
                             where=f"{where}.authored_at"),
                  parse_time(raw.get("committed_at"), where=f"{where}.committed_at"))


def _history(raw: Any, where: str) -> RepoHistory:
    if not isinstance(raw, dict) or not isinstance(raw.get("repo"), str):
        raise InputError(f"{where}.repo: expected a string such as org/name")
    commits_raw = raw.get("commits")
    if not isinstance(commits_raw, list):
        raise InputError(f"{where}.commits: expected a list")
    commits = [_commit(c, f"{where}.commits[{i}]") for i, c in enumerate(commits_raw)]
    head = raw.get("head")
    head = check_sha(head, where=f"{where}.head") if head else (
        commits[0].sha if commits else None)
    return RepoHistory(raw["repo"], raw.get("branch"), head, commits)


def read_dump_file(path: Path, *, source: str | None = None,
                   collected_at: datetime):
    """A LoadBatch of every repo in the dump (the whole history each: loads by key)."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputError(f"{path}: file not found") from None
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: invalid JSON ({exc})") from None
    if not isinstance(document, dict) or not isinstance(document.get("repos"), list):
        raise InputError(f"{path}: expected an object {{\"repos\": [...]}}")
    histories = [_history(r, f"{path}: repos[{i}]") for i, r in enumerate(document["repos"])]
    return history_batch(histories, source=source or path.stem, collected_at=collected_at)


__all__ = ["read_dump_file"]
