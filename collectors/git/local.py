"""A local clone, read with the git CLI (`git log`), never by parsing `.git`.

Incremental: given the head a previous run stopped at, only `base..head` is read (the commits
made since, merged-in side branches included); if that head is no longer an ancestor (a force
push), the whole branch is read again and the numbering restarts.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

from fleetscope.collectors.git.commits import (
    Commit,
    RepoHistory,
    author_hash,
    base_of,
    history_batch,
    parse_time,
)
from fleetscope.collectors.progress import Progress, quiet
from fleetscope.errors import InputError

# sha, parents, author e-mail, author time, committer time: no message, no diff
_FORMAT = "%H%x1f%P%x1f%ae%x1f%aI%x1f%cI"
_SLUG = re.compile(r"[:/](?P<slug>[^/:]+/[^/]+?)(?:\.git)?/?$")


def _git(path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-C", str(path), *args], capture_output=True, text=True,
                          check=False)


def _out(path: Path, *args: str) -> str:
    done = _git(path, *args)
    if done.returncode != 0:
        raise InputError(f"{path}: git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def repo_name(path: Path) -> str:
    """The origin remote's `org/name` slug, else the folder's name."""
    url = _git(path, "remote", "get-url", "origin").stdout.strip()
    match = _SLUG.search(url) if url else None
    return match.group("slug") if match else path.resolve().name


def _check_repo(path: Path) -> None:
    if not path.is_dir():
        raise InputError(f"{path}: no such folder (--repo expects a local git clone)")
    done = _git(path, "rev-parse", "--is-bare-repository", "--show-toplevel")
    if done.returncode != 0:
        raise InputError(f"{path}: not a git repository")
    bare, _, top = done.stdout.partition("\n")
    # a folder inside a clone would read the enclosing repo's whole history under its name
    if bare.strip() != "true" and Path(top.strip()).resolve() != path.resolve():
        raise InputError(f"{path}: not a git repository (it is a folder inside "
                         f"{top.strip()}; give that folder)")


def _read_log(path: Path, revisions: str) -> list[Commit]:
    commits = []
    for line in _out(path, "log", f"--format={_FORMAT}", revisions).splitlines():
        sha, parents, email, authored, committed = line.split("\x1f")
        where = f"{path}: commit {sha}"
        commits.append(Commit(sha, tuple(parents.split()), author_hash(email),
                              parse_time(authored, where=f"{where}: authored_at"),
                              parse_time(committed, where=f"{where}: committed_at")))
    return commits


def read_history(path: Path, *, name: str | None = None, branch: str | None = None,
                 state: Mapping[str, str] | None = None) -> RepoHistory:
    """The branch's commits since the head recorded in `state` (all of them the first time)."""
    _check_repo(path)
    repo = name or repo_name(path)
    branch = branch or _out(path, "symbolic-ref", "--short", "HEAD").strip()
    head = _out(path, "rev-parse", f"{branch}^{{commit}}").strip()
    base, base_seq = base_of(state or {}, repo)
    if base == head:
        return RepoHistory(repo, branch, head, [], base, base_seq)
    if base and _git(path, "merge-base", "--is-ancestor", base, head).returncode != 0:
        base, base_seq = None, 0  # rewritten history: read it all again
    revisions = f"{base}..{head}" if base else head
    return RepoHistory(repo, branch, head, _read_log(path, revisions), base, base_seq)


def read_local_repos(paths: list[tuple[Path, str | None]], *, branch: str | None = None,
                     state: Mapping[str, str] | None = None, source: str = "git",
                     collected_at: datetime, progress: Progress = quiet):
    """One LoadBatch of the new commits of every (path, name) clone (see read_history).

    One batch for all: the warehouse is opened once for them, not once per repo, which is most
    of an incremental run's time when each repo has a few new commits (benchmarks/git_collect.py).
    """
    histories = []
    for path, name in paths:
        history = read_history(path, name=name, branch=branch, state=state)
        progress(f"git {history.repo}: {len(history.commits)} new commits on {history.branch}")
        histories.append(history)
    return history_batch(histories, source=source, collected_at=collected_at)


def read_local_repo(path: Path, *, name: str | None = None, branch: str | None = None,
                    state: Mapping[str, str] | None = None, source: str = "git",
                    collected_at: datetime, progress: Progress = quiet):
    """A LoadBatch of one local clone's new commits."""
    return read_local_repos([(path, name)], branch=branch, state=state, source=source,
                            collected_at=collected_at, progress=progress)


__all__ = ["read_history", "read_local_repo", "read_local_repos", "repo_name"]
