"""The GitHub REST API: `commits/{branch}` for the head, then `compare/{base}...{head}` since the
last run, or the `commits?sha=` listing the first time, following Link-header pages.

Rate limits (403 or 429 with `x-ratelimit-remaining: 0`, or `retry-after`) are waited out and
retried, a bounded number of times and never longer than `max_wait_seconds` each; 401 and 404
are a CollectError naming the repo. The token is sent as a header and never shown.
"""

from __future__ import annotations

import json
import re
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

from fleetscope.collectors.git.commits import (
    Commit,
    RepoHistory,
    author_hash,
    base_of,
    check_sha,
    history_batch,
    parse_time,
)
from fleetscope.collectors.progress import Progress, quiet
from fleetscope.errors import CollectError, InputError

PER_PAGE = 100
MAX_PAGES = 10_000
_NEXT = re.compile(r'<([^>]+)>;\s*rel="next"')


@dataclass(frozen=True)
class GitHubClient:
    api_url: str
    token: str | None = None
    timeout_seconds: float = 30.0
    max_retries: int = 3
    max_wait_seconds: float = 60.0
    sleep: Callable[[float], None] = time.sleep

    def get(self, path: str, *, repo: str) -> tuple[Any, str | None]:
        """The JSON body and the next page's URL; waits out rate limits."""
        url = path if path.startswith("http") else self.api_url.rstrip("/") + path
        for attempt in range(self.max_retries + 1):
            try:
                return self._once(url)
            except urllib.error.HTTPError as exc:
                wait = _rate_limit_wait(exc.code, exc.headers)
                if wait is None or attempt == self.max_retries:
                    raise _http_error(exc.code, repo, url, wait) from None
                self.sleep(min(wait, self.max_wait_seconds))
            except (urllib.error.URLError, OSError) as exc:
                raise CollectError(f"github {repo}: GET {url.split('?')[0]}: "
                                   f"{getattr(exc, 'reason', exc)}") from None
        raise AssertionError("unreachable")

    def _once(self, url: str) -> tuple[Any, str | None]:
        request = urllib.request.Request(url, headers={
            "Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"})
        if self.token:
            request.add_header("Authorization", f"Bearer {self.token}")
        with urllib.request.urlopen(request, timeout=self.timeout_seconds) as response:
            body = json.loads(response.read())
            match = _NEXT.search(response.headers.get("Link") or "")
            return body, match.group(1) if match else None


def _rate_limit_wait(status: int, headers: Any) -> float | None:
    """Seconds to wait before retrying, or None if this is not a rate limit."""
    if status not in (403, 429):
        return None
    if headers.get("retry-after"):
        return float(headers["retry-after"])
    if headers.get("x-ratelimit-remaining") == "0":
        reset = float(headers.get("x-ratelimit-reset") or 0)
        return max(reset - time.time(), 1.0)
    return 60.0 if status == 429 else None


def _http_error(status: int, repo: str, url: str, wait: float | None) -> CollectError:
    shown = url.split("?", 1)[0]
    if wait is not None:
        return CollectError(f"github {repo}: still rate-limited (HTTP {status}) after retries")
    hint = {401: " (check the token: git.github.token_env)",
            404: " (no such repository or branch, or the token cannot see it)"}.get(status, "")
    return CollectError(f"github {repo}: GET {shown}: HTTP {status}{hint}")


def _commit(raw: Any, where: str) -> Commit:
    try:
        detail = raw["commit"]
        parents = tuple(check_sha(p["sha"], where=f"{where}.parents") for p in raw["parents"])
        return Commit(check_sha(raw["sha"], where=f"{where}.sha"), parents,
                      author_hash((detail.get("author") or {}).get("email")),
                      parse_time((detail.get("author") or detail["committer"])["date"],
                                 where=f"{where}.commit.author.date"),
                      parse_time(detail["committer"]["date"],
                                 where=f"{where}.commit.committer.date"))
    except (KeyError, TypeError) as exc:
        raise InputError(f"{where}: not a GitHub commit object (missing {exc})") from None


def _pages(client: GitHubClient, path: str, repo: str, *, key: str | None) -> list[Commit]:
    commits: list[Commit] = []
    url: str | None = path
    for _ in range(MAX_PAGES):
        if url is None:
            return commits
        body, url = client.get(url, repo=repo)
        items = body.get(key) if key and isinstance(body, dict) else body
        if not isinstance(items, list):
            raise CollectError(f"github {repo}: GET {path.split('?')[0]}: expected a list")
        commits += [_commit(c, f"github {repo}: {path.split('?')[0]}") for c in items]
    raise CollectError(f"github {repo}: more than {MAX_PAGES} pages")


def read_history(client: GitHubClient, repo: str, *, branch: str | None = None,
                 state: Mapping[str, str] | None = None) -> RepoHistory:
    """The branch's commits since the head in `state` (compare), or all of them (commits)."""
    base_path = f"/repos/{repo}"
    if branch is None:
        info, _ = client.get(base_path, repo=repo)
        branch = str(info.get("default_branch") or "main")
    head_raw, _ = client.get(f"{base_path}/commits/{quote(branch, safe='')}", repo=repo)
    head = _commit(head_raw, f"github {repo}: commits/{branch}").sha
    base, base_seq = base_of(state or {}, repo)
    if base == head:
        return RepoHistory(repo, branch, head, [], base, base_seq)
    if base:
        compare, _ = client.get(f"{base_path}/compare/{base}...{head}?per_page={PER_PAGE}",
                                repo=repo)
        if compare.get("status") in ("ahead", "identical"):
            commits = _pages(client, f"{base_path}/compare/{base}...{head}?per_page={PER_PAGE}",
                             repo, key="commits")
            return RepoHistory(repo, branch, head, commits, base, base_seq)
    listing = f"{base_path}/commits?sha={quote(branch, safe='')}&per_page={PER_PAGE}"
    return RepoHistory(repo, branch, head, _pages(client, listing, repo, key=None))


def read_github_repos(client: GitHubClient, repos: list[str], *, branch: str | None = None,
                      state: Mapping[str, str], source: str, collected_at: datetime,
                      progress: Progress = quiet):
    """A LoadBatch of the new commits of each repo, one batch for all of them."""
    histories = []
    for repo in repos:
        history = read_history(client, repo, branch=branch, state=state)
        progress(f"github {repo}: {len(history.commits)} new commits on {history.branch}")
        histories.append(history)
    return history_batch(histories, source=source, collected_at=collected_at)


__all__ = ["GitHubClient", "read_github_repos", "read_history"]
