"""Git histories of the demo's apps: real repositories with real shas, written by `git
fast-import`, whose commits reach production in the app's deploys.

Each app gets a repository `OUT/sources/git/<org>/<app>/` on branch `main`. Every deploy that
is not a rollback ships a new release: 1 + Poisson(1.5) commits made before it, each `lead` hours
before the deploy, where `lead` = the app's median lead time x a log-normal spread (sigma 0.6).
A release of two or more commits is, one time in five, a merge (`--no-ff`) of a side commit, so
the first-parent chain has a few merges. A rollback ships the previous release again.

The planted effect: once an app has migrated (its cut-over, the first hour it runs only on
Kubernetes), its commits' lead times are multiplied by `PLANTED_LEAD_TIME_FACTOR`, so its median
lead time after is that share of the one before (deploy counts and times are left as they were).

Shas are computed here (git's object format: blob, tree, commit), so the simulation can tag its
images before the repositories are written; writing them checks git arrives at the same head.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import numpy as np

from fleetscope.demo.org import App, Org

GIT_ORG = "example"  # the `github.com/project-slug` org of every demo component
PLANTED_LEAD_TIME_FACTOR = 0.5  # median lead time after cut-over / before, per migrated app
BRANCH = "main"
MEDIAN_LEAD_HOURS = 30.0  # an app's median lead time is log-normal around this (sigma 0.6)
LEAD_SPREAD = 0.6  # sigma of a commit's lead time around its app's median
MERGE_SHARE = 0.2  # of releases with 2+ commits, the share merged from a side branch
_AUTHORS = ("ada", "grace", "linus", "barbara", "ken", "margaret", "dennis", "frances")
_FILE = b"CHANGELOG"


@dataclass(frozen=True)
class DemoCommit:
    sha: str
    parents: tuple[str, ...]
    at: int  # unix seconds (author and committer time, UTC)
    author: str
    message: bytes
    content: bytes  # the whole of CHANGELOG at this commit


@dataclass
class AppHistory:
    app_id: str
    commits: list[DemoCommit]  # parents before children
    releases: list[str]  # the sha of release 0 (before the window) and of every new one

    @property
    def head(self) -> str:
        return self.releases[-1]


def _object_sha(kind: bytes, body: bytes) -> str:
    return hashlib.sha1(kind + b" %d\0" % len(body) + body).hexdigest()


def _commit_body(tree: str, commit: DemoCommit) -> bytes:
    who = f"{commit.author} <{commit.author}@example.com> {commit.at} +0000".encode()
    parents = b"".join(b"parent %s\n" % p.encode() for p in commit.parents)
    return (
        b"tree %s\n" % tree.encode()
        + parents
        + b"author "
        + who
        + b"\ncommitter "
        + who
        + b"\n\n"
        + commit.message
    )


def commit_sha(commit: DemoCommit) -> str:
    """The sha git gives this commit: a tree holding the one file, its parents and times."""
    blob = _object_sha(b"blob", commit.content)
    tree = _object_sha(b"tree", b"100644 " + _FILE + b"\0" + bytes.fromhex(blob))
    return _object_sha(b"commit", _commit_body(tree, commit))


def migrated_at(app: App) -> float | None:
    """The hour an app's migration finished (runs only on Kubernetes from then), if it did."""
    if app.helios_start is None or app.k8s_start is None or app.k8s_end is not None:
        return None
    return app.helios_end


class _Builder:
    """Appends commits to one app's first-parent chain, computing each sha."""

    def __init__(self, app_id: str, epoch: int) -> None:
        self.app_id, self.epoch = app_id, epoch
        self.commits: list[DemoCommit] = []
        self.tip: str | None = None
        self.lines = b""

    def add(self, hours: float, author: str, parents: tuple[str, ...]) -> str:
        n = len(self.commits) + 1
        self.lines += b"change %d\n" % n
        draft = DemoCommit(
            "",
            parents,
            self.epoch + round(hours * 3600),
            author,
            f"{self.app_id}: change {n}\n".encode(),
            self.lines,
        )
        sha = commit_sha(draft)
        self.commits.append(
            DemoCommit(sha, parents, draft.at, author, draft.message, draft.content)
        )
        return sha

    def release(self, rng: np.random.Generator, times: list[float]) -> str:
        """Commit at `times` (sorted) on the chain; maybe the last two as a merged side commit."""
        merge = len(times) >= 2 and rng.random() < MERGE_SHARE
        authors = rng.choice(_AUTHORS, size=len(times)).tolist()
        chain = times[:-2] if merge else times
        for hours, author in zip(chain, authors, strict=False):
            self.tip = self.add(hours, author, (self.tip,) if self.tip else ())
        if merge:
            assert self.tip is not None
            side = self.add(times[-2], authors[-2], (self.tip,))
            self.tip = self.add(times[-1], authors[-1], (self.tip, side))
        assert self.tip is not None
        return self.tip


def plan_history(rng: np.random.Generator, app: App, epoch: int) -> AppHistory:
    """The app's commits: a few before the window, then one release per non-rollback deploy.

    `epoch` is the unix time of hour 0. A commit may be older than the previous deploy (work
    that waited in review): lead times are drawn, not squeezed between deploys, so the planted
    factor is exactly the ratio of the distributions before and after.
    """
    median = float(np.clip(rng.lognormal(np.log(MEDIAN_LEAD_HOURS), 0.6), 3.0, 240.0))
    builder = _Builder(app.app_id, epoch)
    first = -24.0 * float(rng.uniform(20, 60))
    releases = [
        builder.release(rng, sorted(first + 24.0 * float(x) for x in rng.uniform(0, 10, size=3)))
    ]
    cut = migrated_at(app)
    for at, is_rollback in app.deploys:
        if is_rollback:
            continue
        factor = PLANTED_LEAD_TIME_FACTOR if cut is not None and at >= cut else 1.0
        count = 1 + int(rng.poisson(1.5))
        leads = median * factor * rng.lognormal(0.0, LEAD_SPREAD, size=count)
        releases.append(builder.release(rng, sorted(at - float(max(lead, 0.25)) for lead in leads)))
    return AppHistory(app.app_id, builder.commits, releases)


def plan_histories(seed: int, org: Org, start: datetime) -> dict[str, AppHistory]:
    """Every app's history, drawn from its own stream so one app's deploys move no other's."""
    epoch = int(start.timestamp())
    return {
        app.app_id: plan_history(np.random.default_rng([seed, 5, i]), app, epoch)
        for i, app in enumerate(org.apps)
    }


def fast_import_stream(history: AppHistory) -> bytes:
    """The `git fast-import` commands that recreate the history (marks are list positions)."""
    marks = {c.sha: i + 1 for i, c in enumerate(history.commits)}
    out: list[bytes] = []
    for i, c in enumerate(history.commits):
        who = f"{c.author} <{c.author}@example.com> {c.at} +0000".encode()
        out += [
            b"commit refs/heads/%s\nmark :%d\n" % (BRANCH.encode(), i + 1),
            b"author " + who + b"\ncommitter " + who + b"\n",
            b"data %d\n" % len(c.message) + c.message,
        ]
        for j, parent in enumerate(c.parents):
            out.append(b"%s :%d\n" % (b"from" if j == 0 else b"merge", marks[parent]))
        out.append(
            b"deleteall\nM 100644 inline %s\ndata %d\n" % (_FILE, len(c.content))
            + c.content
            + b"\n"
        )
    return b"".join(out)


def write_repo(path: Path, history: AppHistory, template: Path) -> None:
    """A repository holding the history; raises if git's head is not the planned sha.

    One git process per repo: the empty `.git` is a copy of `template` (a `git init` made once)
    and fast-import reports the head's sha itself (`get-mark`).
    """
    shutil.copytree(template, path / ".git")
    stream = fast_import_stream(history) + b"get-mark :%d\ndone\n" % len(history.commits)
    done = subprocess.run(
        # No reflog: it would stamp the wall clock, and the same seed must write the same bytes.
        # One pack (and its index) rather than a file per object, even for a small history.
        [
            "git",
            "-C",
            str(path),
            "-c",
            "core.logAllRefUpdates=false",
            "-c",
            "fastimport.unpackLimit=0",
            "fast-import",
            "--quiet",
            "--done",
        ],
        input=stream,
        capture_output=True,
        check=False,
    )
    head = done.stdout.decode().strip()
    if done.returncode != 0 or head != history.head:
        raise RuntimeError(
            f"git fast-import {path}: made {head or 'nothing'}, the demo planned "
            f"{history.head}: {done.stderr.decode().strip()}"
        )


def write_repos(folder: Path, histories: dict[str, AppHistory], *, workers: int = 2) -> list[Path]:
    """Every app's repository under `folder/<org>/<app>`, git running in `workers` threads.

    Not bare, because `collect git --repo` checks a clone with `rev-parse --show-toplevel`,
    which git 2.39 refuses in a bare one; nothing is checked out (only the history is read).
    """
    template = folder / ".template"
    subprocess.run(
        ["git", "-c", f"init.defaultBranch={BRANCH}", "init", "-q", "--template=", str(template)],
        check=True,
        capture_output=True,
    )
    paths = [folder / GIT_ORG / app_id for app_id in histories]
    try:
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(write_repo, paths, histories.values(), [template / ".git"] * len(paths)))
    finally:
        shutil.rmtree(template)
    return paths
