"""One commit as every git mode reads it, the first-parent walk, and the rows and state it makes.

`first_parent_seq` numbers the branch's first-parent chain from its root (1) toward the head, so
"the commits a deploy shipped" (those on the first-parent path since the previously deployed
sha) is a range of seq in SQL. Commits merged in from side branches are kept (their times count
toward lead time once a later step joins them) with a NULL seq.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from fleetscope.errors import InputError

TABLE = "raw_git_commits"
KEYS = ("repo", "sha")
SHA = re.compile(r"^[0-9a-f]{40}$")


@dataclass(frozen=True)
class Commit:
    sha: str
    parents: tuple[str, ...]
    author_hash: str | None
    authored_at: datetime  # naive UTC
    committed_at: datetime  # naive UTC


@dataclass(frozen=True)
class RepoHistory:
    """The commits read from one repo's branch, newest to oldest or in any order.

    `base_sha`/`base_seq`: where the previous run stopped (the old head, its seq); the walk from
    `head` continues that numbering. Both None for a full read.
    """

    repo: str
    branch: str | None
    head: str | None
    commits: list[Commit]
    base_sha: str | None = None
    base_seq: int = 0


def author_hash(email: str | None) -> str | None:
    """First 16 hex of sha256(lowercased e-mail): distinct authors countable, no address kept."""
    if not email:
        return None
    return hashlib.sha256(email.strip().lower().encode()).hexdigest()[:16]


def parse_time(value: object, *, where: str) -> datetime:
    """An ISO 8601 time (`2026-11-20T06:00:00Z`, `+01:00`) as naive UTC, else InputError."""
    if not isinstance(value, str):
        raise InputError(f"{where}: expected an ISO 8601 time, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"{where}: {value!r} is not an ISO 8601 time such as "
                         "2026-11-20T06:00:00Z") from None
    if parsed.tzinfo is None:  # git and GitHub always give an offset; a bare time means UTC
        return parsed
    return parsed.astimezone(UTC).replace(tzinfo=None)


def check_sha(value: object, *, where: str) -> str:
    if not isinstance(value, str) or not SHA.match(value.lower()):
        raise InputError(f"{where}: {value!r} is not a 40-hex commit sha")
    return value.lower()


def first_parent_seqs(history: RepoHistory) -> dict[str, int]:
    """seq of each commit on the chain head -> parents[0] -> ... (down to base_sha or the root)."""
    by_sha = {c.sha: c for c in history.commits}
    chain: list[str] = []
    sha = history.head
    while sha is not None and sha != history.base_sha and sha in by_sha:
        chain.append(sha)
        parents = by_sha[sha].parents
        sha = parents[0] if parents else None
    # a chain that stops at neither the base nor a root was cut short (a shallow clone, a
    # GitHub `since`): its numbering would be wrong, so it gets none
    if sha is not None and sha != history.base_sha:
        return {}
    return {s: history.base_seq + i for i, s in enumerate(reversed(chain), start=1)}


def state_keys(repo: str) -> tuple[str, str]:
    """The state keys of one repo: its last head sha and that head's first-parent seq."""
    return f"git:{repo}:head", f"git:{repo}:seq"


def base_of(state: Mapping[str, str], repo: str) -> tuple[str | None, int]:
    head_key, seq_key = state_keys(repo)
    head = state.get(head_key)
    return (head, int(state.get(seq_key, "0"))) if head else (None, 0)


def history_batch(histories: Iterable[RepoHistory], *, source: str, collected_at: datetime):
    """A LoadBatch of `raw_git_commits` keyed by (repo, sha), with each repo's new head as state."""
    import pandas as pd

    from fleetscope.warehouse import LoadBatch

    rows: list[dict[str, object]] = []
    state: dict[str, str] = {}
    for history in histories:
        seqs = first_parent_seqs(history)
        rows += [{"repo": history.repo, "branch": history.branch, "sha": c.sha,
                  "parent_shas": json.dumps(list(c.parents)), "author_hash": c.author_hash,
                  "authored_at": c.authored_at, "committed_at": c.committed_at,
                  "first_parent_seq": seqs.get(c.sha)} for c in history.commits]
        if history.head and (history.head == history.base_sha or history.head in seqs):
            head_key, seq_key = state_keys(history.repo)
            state[head_key] = history.head
            state[seq_key] = str(seqs.get(history.head, history.base_seq))
    frame = pd.DataFrame(rows, columns=["repo", "branch", "sha", "parent_shas", "author_hash",
                                        "authored_at", "committed_at", "first_parent_seq"])
    frame["first_parent_seq"] = frame["first_parent_seq"].astype("Int64")
    return LoadBatch("git", source, collected_at, {TABLE: frame}, state=state,
                     keys={TABLE: KEYS})


__all__ = ["Commit", "RepoHistory", "author_hash", "base_of", "check_sha", "first_parent_seqs",
           "history_batch", "parse_time", "state_keys"]
