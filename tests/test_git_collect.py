"""`fleetscope collect git` on a real repository made here: shas, times and first-parent order.

The history (times chosen, UTC unless shown):

    A (Nov 2 09:00) -- B (Nov 3 10:00) ------------- M (Nov 5 12:00, merge of F)
                         \\-- F (Nov 4 08:30 +02:00 = 06:30 UTC) --/

first-parent chain from main: M -> B -> A, so seq A=1, B=2, M=3 and F (merged in) has none.
"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb
import pytest
from click.testing import CliRunner

from fleetscope.cli import cli
from tests.git_repos import commit, git, init


def _run(warehouse: Path, *args: str):
    result = CliRunner().invoke(cli, ["-q", "--warehouse", str(warehouse), *args])
    assert result.exit_code == 0, result.output
    return result


def _transform(warehouse: Path) -> None:
    _run(warehouse, "transform")


def _rows(warehouse: Path, repo: str) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute(
            "select commit_sha, strftime(committed_at, '%Y-%m-%d %H:%M'), "
            "strftime(authored_at, '%Y-%m-%d %H:%M'), first_parent_seq, is_merge, parent_shas "
            "from stg_git_commits where repo = ? order by committed_at", [repo]).fetchall()


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    repo = init(tmp_path / "checkout")
    shas = {"A": commit(repo, "A", "2026-11-02T09:00:00Z"),
            "B": commit(repo, "B", "2026-11-03T10:00:00Z")}
    git(repo, "checkout", "-q", "-b", "feature")
    shas["F"] = commit(repo, "F", "2026-11-04T08:30:00+02:00")
    git(repo, "checkout", "-q", "main")
    git(repo, "merge", "-q", "--no-ff", "-m", "M", "feature", when="2026-11-05T12:00:00Z")
    shas["M"] = git(repo, "rev-parse", "HEAD")
    git(repo, "remote", "add", "origin", "git@github.com:acme/checkout.git")
    return repo, shas


def expected(s: dict[str, str]) -> list[tuple]:
    # hand-listed: times as chosen above (F's +02:00 is 06:30 UTC); seq A=1, B=2, M=3
    return [
        (s["A"], "2026-11-02 09:00", "2026-11-02 09:00", 1, False, []),
        (s["B"], "2026-11-03 10:00", "2026-11-03 10:00", 2, False, [s["A"]]),
        (s["F"], "2026-11-04 06:30", "2026-11-04 06:30", None, False, [s["B"]]),
        (s["M"], "2026-11-05 12:00", "2026-11-05 12:00", 3, True, [s["B"], s["F"]]),
    ]


def test_local_repo_gives_shas_times_and_first_parent_order(history, tmp_path: Path) -> None:
    repo, shas = history
    warehouse = tmp_path / "wh.duckdb"
    _run(warehouse, "collect", "git", "--repo", str(repo))
    _transform(warehouse)
    assert _rows(warehouse, "acme/checkout") == expected(shas)  # named from the origin remote
    with duckdb.connect(str(warehouse), read_only=True) as con:
        hashes = con.execute("select distinct author_hash from raw_git_commits").fetchall()
        columns = {r[0] for r in con.execute("describe raw_git_commits").fetchall()}
    # the e-mail is hashed lowercased: Ada@Example.com and ada@example.com are one author
    assert len(hashes) == 1 and len(hashes[0][0]) == 16
    assert not {"message", "subject", "author_email", "diff"} & columns


def _load_rows(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select source_name, row_count from loads where source_kind = 'git' "
                           "order by rowid").fetchall()


def _table(warehouse: Path) -> list[tuple]:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        return con.execute("select repo, branch, sha, parent_shas::varchar, author_hash, "
                           "authored_at, committed_at, first_parent_seq "
                           "from raw_git_commits order by sha").fetchall()


def test_second_run_reads_only_new_commits_and_equals_a_full_read(history, tmp_path) -> None:
    repo, shas = history
    warehouse = tmp_path / "wh.duckdb"
    _run(warehouse, "collect", "git", "--repo", str(repo))
    shas["C"] = commit(repo, "C", "2026-11-06T09:00:00Z")
    shas["D"] = commit(repo, "D", "2026-11-07T09:00:00Z")
    _run(warehouse, "collect", "git", "--repo", str(repo))
    _run(warehouse, "collect", "git", "--repo", str(repo))  # nothing new: loads 0
    # 4 commits, then the 2 new ones only (C, D), then none
    assert [n for _, n in _load_rows(warehouse)] == [4, 2, 0]
    full = tmp_path / "full.duckdb"
    _run(full, "collect", "git", "--repo", str(repo))
    assert _table(warehouse) == _table(full)
    _transform(warehouse)
    seqs = dict((r[0], r[3]) for r in _rows(warehouse, "acme/checkout"))
    assert (seqs[shas["C"]], seqs[shas["D"]]) == (4, 5)  # continue M's 3


def test_dump_file_gives_the_same_rows(history, tmp_path: Path) -> None:
    repo, _ = history
    log = git(repo, "log", "--format=%H %P|%ae|%aI|%cI", "main").splitlines()
    commits = []
    for line in log:
        ids, email, authored, committed = line.split("|")
        sha, *parents = ids.split()
        commits.append({"sha": sha, "parents": parents, "author_email": email,
                        "authored_at": authored, "committed_at": committed})
    dump = tmp_path / "commits.json"
    dump.write_text(json.dumps({"repos": [{"repo": "acme/checkout", "branch": "main",
                                           "commits": commits}]}))
    from_dump, from_repo = tmp_path / "a.duckdb", tmp_path / "b.duckdb"
    _run(from_dump, "collect", "git", "--from-file", str(dump))
    _run(from_repo, "collect", "git", "--repo", str(repo))
    assert _table(from_dump) == _table(from_repo)


# -- the same repository through a GitHub-compatible server --------------------------------------

def _github_config(tmp_path: Path, url: str, **extra: object) -> Path:
    lines = ["[[git.github]]", 'repos = ["acme/checkout"]', f'api_url = "{url}"',
             'token_env = "FLEETSCOPE_TEST_GH_TOKEN"']
    lines += [f"{k} = {json.dumps(v)}" for k, v in extra.items()]
    config = tmp_path / "fleetscope.toml"
    config.write_text("\n".join(lines) + "\n")
    return config


def test_github_api_in_two_pages_gives_the_same_rows(history, tmp_path, monkeypatch) -> None:
    from tests.github_fake_api import GitHubServer

    repo, shas = history
    monkeypatch.setenv("FLEETSCOPE_TEST_GH_TOKEN", "t0ken")
    server = GitHubServer({"acme/checkout": repo}, page_size=3, token="t0ken").start()
    try:
        config = _github_config(tmp_path, server.url)
        from_api, from_repo = tmp_path / "api.duckdb", tmp_path / "repo.duckdb"
        _run(from_api, "--config", str(config), "collect", "git")
        # 4 commits at 3 a page: page 1 and page 2
        listing = [p for p in server.requests if "/commits?" in p]
        assert len(listing) == 2 and "page=2" in listing[1]
        _run(from_repo, "collect", "git", "--repo", str(repo))
        assert _table(from_api) == _table(from_repo)
        shas["C"] = commit(repo, "C", "2026-11-06T09:00:00Z")
        shas["D"] = commit(repo, "D", "2026-11-07T09:00:00Z")
        _run(from_api, "--config", str(config), "collect", "git")
        assert [n for _, n in _load_rows(from_api)] == [4, 2]  # only C and D the second time
        assert any("/compare/" + shas["M"] + "..." in p for p in server.requests)
        _run(from_repo, "collect", "git", "--repo", str(repo))
        assert _table(from_api) == _table(from_repo)
    finally:
        server.stop()


def test_github_rate_limits_are_waited_out(history, tmp_path, monkeypatch) -> None:
    from tests.github_fake_api import GitHubServer

    repo, _ = history
    # 3 limited answers (403 remaining 0, 429 retry-after 0, 403) then normal service; the
    # client retries up to 3 times per request, so the first request succeeds on its 4th try
    server = GitHubServer({"acme/checkout": repo}, rate_limited=3).start()
    try:
        warehouse = tmp_path / "wh.duckdb"
        _run(warehouse, "--config", str(_github_config(tmp_path, server.url)), "collect", "git")
        assert [n for _, n in _load_rows(warehouse)] == [4]
    finally:
        server.stop()


@pytest.mark.parametrize(("token", "slug", "status", "hint"), [
    ("wrong", "acme/checkout", 401, "check the token"),
    ("t0ken", "acme/nothing", 404, "no such repository"),
])
def test_github_errors_name_the_repo(history, tmp_path, monkeypatch, token, slug, status,
                                     hint) -> None:
    from tests.github_fake_api import GitHubServer

    repo, _ = history
    monkeypatch.setenv("GITHUB_TOKEN", token)  # token_env's default, with no config
    server = GitHubServer({"acme/checkout": repo}, token="t0ken").start()
    try:
        warehouse = tmp_path / "wh.duckdb"
        result = CliRunner().invoke(cli, ["-q", "--warehouse", str(warehouse), "collect", "git",
                                          "--api-url", server.url, "--github", slug])
        assert result.exit_code == 4, result.output
        assert f"github {slug}" in result.output and f"HTTP {status}" in result.output
        assert hint in result.output
    finally:
        server.stop()


def test_from_catalog_reads_the_annotated_repos(history, tmp_path, monkeypatch) -> None:
    from tests.github_fake_api import GitHubServer

    repo, shas = history
    catalog = tmp_path / "catalog"
    catalog.mkdir()
    (catalog / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: checkout\n"
        "  annotations:\n    github.com/project-slug: acme/checkout\n"
        "spec:\n  type: service\n  lifecycle: production\n  owner: group:payments\n")
    monkeypatch.setenv("GITHUB_TOKEN", "t0ken")
    server = GitHubServer({"acme/checkout": repo}, token="t0ken").start()
    try:
        warehouse = tmp_path / "wh.duckdb"
        _run(warehouse, "collect", "catalog", "--path", str(catalog), "--collected-at",
             "2026-11-20")
        _run(warehouse, "collect", "git", "--from-catalog", "--api-url", server.url)
        _run(warehouse, "transform")
        assert _rows(warehouse, "acme/checkout") == expected(shas)
    finally:
        server.stop()
