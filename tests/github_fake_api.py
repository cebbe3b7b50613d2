"""A GitHub REST API on a local port, answering from a real git repository.

Wire shapes follow GitHub's REST docs (v2022-11-28): `GET /repos/{owner}/{repo}`,
`/commits/{ref}`, `/commits?sha=&per_page=&page=` (newest first, Link header with rel="next"),
`/compare/{base}...{head}` (`status`, `commits` oldest first, paginated the same way). Errors are
`{"message": ..., "documentation_url": ...}` with 401, 404, and 403/429 rate limits.
"""

from __future__ import annotations

from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from tests.fake_http import FakeServer, JsonHandler
from tests.git_repos import git

_FORMAT = "%H|%P|%an|%ae|%aI|%cn|%ce|%cI"


def commit_json(repo: Path, sha: str, api: str, slug: str) -> dict[str, Any]:
    """One commit as GET /repos/{owner}/{repo}/commits returns it (the fields that matter)."""
    line = git(repo, "show", "-s", f"--format={_FORMAT}", sha)
    sha, parents, an, ae, ad, cn, ce, cd = line.split("|")
    url = f"{api}/repos/{slug}/commits/{sha}"
    return {"sha": sha, "node_id": "C_" + sha[:12], "url": url,
            "html_url": f"https://github.com/{slug}/commit/{sha}",
            "commit": {"author": {"name": an, "email": ae, "date": ad},
                       "committer": {"name": cn, "email": ce, "date": cd},
                       "message": "(not read)", "tree": {"sha": "0" * 40, "url": url},
                       "comment_count": 0},
            "author": None, "committer": None,
            "parents": [{"sha": p, "url": f"{api}/repos/{slug}/commits/{p}"}
                        for p in parents.split()]}


class GitHubServer(FakeServer):
    """Serves `repos` ({"org/name": path}); at most `page_size` commits per page.

    `rate_limited`: how many requests first get 403 with x-ratelimit-remaining 0 (reset now),
    then 429 with retry-after 0, alternately; `requests` counts every request.
    """

    def __init__(self, repos: dict[str, Path], *, page_size: int = 100,
                 token: str | None = None, rate_limited: int = 0) -> None:
        self.repos, self.page_size, self.token = repos, page_size, token
        self.rate_limited = rate_limited
        self.requests: list[str] = []
        super().__init__()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(JsonHandler):
            def do_GET(self) -> None:
                server.requests.append(self.path)
                if server.rate_limited > 0:
                    server.rate_limited -= 1
                    return self._limited(server.rate_limited % 2 == 0)
                if server.token and self.headers.get("Authorization") != f"Bearer {server.token}":
                    return self._send(401, {"message": "Bad credentials",
                                            "documentation_url": "https://docs.github.com/rest"})
                answer = server.answer(self.path)
                if answer is None:
                    return self._send(404, {"message": "Not Found",
                                            "documentation_url": "https://docs.github.com/rest"})
                body, link = answer
                self._send_linked(body, link)

            def _limited(self, primary: bool) -> None:
                self.send_response(403 if primary else 429)
                if primary:
                    self.send_header("x-ratelimit-remaining", "0")
                    self.send_header("x-ratelimit-reset", "0")
                else:
                    self.send_header("retry-after", "0")
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"{}")

            def _send_linked(self, body: Any, link: str | None) -> None:
                import json

                data = json.dumps(body).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                if link:
                    self.send_header("Link", link)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        return Handler

    def answer(self, path: str) -> tuple[Any, str | None] | None:
        parts = urlsplit(path)
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        segments = parts.path.strip("/").split("/")
        if len(segments) < 3 or segments[0] != "repos":
            return None
        slug = f"{segments[1]}/{segments[2]}"
        repo = self.repos.get(slug)
        if repo is None:
            return None
        rest = segments[3:]
        if not rest:
            return {"full_name": slug, "default_branch": "main"}, None
        if rest == ["commits"]:
            shas = git(repo, "rev-list", query.get("sha", "main")).split()
            return self._page(repo, slug, parts.path, query, shas, key=None)
        if rest[0] == "commits" and len(rest) == 2:
            sha = git(repo, "rev-parse", rest[1])
            return commit_json(repo, sha, self.url, slug), None
        if rest[0] == "compare" and len(rest) == 2:
            base, head = rest[1].split("...")
            shas = git(repo, "rev-list", "--reverse", f"{base}..{head}").split()
            return self._page(repo, slug, parts.path, query, shas, key="commits")
        return None

    def _page(self, repo: Path, slug: str, path: str, query: dict[str, str], shas: list[str],
              *, key: str | None) -> tuple[Any, str | None]:
        size = min(int(query.get("per_page", "30")), self.page_size)
        page = int(query.get("page", "1"))
        chosen = shas[(page - 1) * size: page * size]
        items = [commit_json(repo, s, self.url, slug) for s in chosen]
        link = None
        if page * size < len(shas):
            following = {**query, "page": str(page + 1)}
            link = (f'<{self.url}{path}?{"&".join(f"{k}={v}" for k, v in following.items())}>; '
                    'rel="next"')
        if key is None:
            return items, link
        return {"status": "ahead", "ahead_by": len(shas), "behind_by": 0,
                "total_commits": len(shas), "files": [], key: items}, link
