"""The git and incidents sources, each as an `ingest.Source` (see fleetscope.ops.sources).

Local clones and GitHub repos are incremental: each repo's head and first-parent seq are state
the loader reads before the collector runs and writes with the batch. Repos named by the catalog
(`from_catalog`) are listed by the loader from `raw_catalog_entities` (`Source.reads`).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from fleetscope.config import Config, GitHubSource
from fleetscope.ops.ingest import Progress, Source, loaded_line

if TYPE_CHECKING:
    from fleetscope.warehouse import LoadBatch, LoadResult, Warehouse

CATALOG_REPOS = "git:catalog_repos"  # the state key under which `reads` passes the list in
_SLUG_ANNOTATION = "github.com/project-slug"
_LOCATION_ANNOTATION = "backstage.io/source-location"
_GITHUB_URL = re.compile(r"github\.com[/:](?P<slug>[^/\s]+/[^/\s#?]+?)(?:\.git)?(?:[/#?]|$)")


def _commits_loaded(label: str, batch: LoadBatch, result: LoadResult) -> str:
    return f"{label}: loaded {result.total_rows} commits"


def git_local(paths: list[Path], *, name: str | None = None, branch: str | None = None,
              source: str = "git") -> Source:
    """Local clones, read with the git CLI since their last collected heads, in one batch.

    Their names (origin slug, else folder; `name` for a single clone) are found now, because
    the state keys the loader reads are named after them.
    """
    from fleetscope.collectors.git.commits import state_keys
    from fleetscope.collectors.git.local import repo_name

    if name is not None and len(paths) != 1:
        raise ValueError("name names a single clone")
    named = [(p, name or (repo_name(p) if p.is_dir() else p.name)) for p in paths]

    def read(state: Mapping[str, str], progress: Progress) -> list[LoadBatch]:
        from fleetscope.collectors.git import read_local_repos
        from fleetscope.warehouse import utc_now

        return [read_local_repos(list(named), branch=branch, state=state, source=source,
                                 collected_at=utc_now(), progress=progress)]

    label = f"git {named[0][1]}" if len(named) == 1 else f"git {len(named)} repos"
    return Source("git", source, label, read,
                  state_keys=tuple(k for _, repo in named for k in state_keys(repo)),
                  offline=True, describe=_commits_loaded)


def git_dump(path: Path, *, source: str | None = None) -> Source:
    """A JSON dump of commit histories (every commit; rows replace by repo and sha)."""
    def read(state: Mapping[str, str], progress: Progress) -> list[LoadBatch]:
        from fleetscope.collectors.git import read_dump_file
        from fleetscope.warehouse import utc_now

        return [read_dump_file(path, source=source, collected_at=utc_now())]

    return Source("git", source or path.stem, f"git {path.name}", read, offline=True,
                  describe=_commits_loaded)


def _slugs(settings: GitHubSource) -> list[str]:
    return [r if "/" in r or not settings.owner else f"{settings.owner}/{r}"
            for r in settings.repos]


def git_github(settings: GitHubSource, *, repos: list[str] | None = None, source: str = "git",
               from_catalog: bool = False) -> Source:
    """GitHub repos through the REST API; with `from_catalog`, also those the catalog names."""
    from fleetscope.collectors.git.commits import state_keys

    listed = repos if repos is not None else _slugs(settings)
    keys = tuple(k for repo in listed for k in state_keys(repo))

    def collect(state: Mapping[str, str], progress: Progress) -> Iterable[LoadBatch]:
        from fleetscope.collectors.git.github import GitHubClient, read_github_repos
        from fleetscope.warehouse import utc_now

        token = os.environ.get(settings.token_env) if settings.token_env else None
        client = GitHubClient(settings.api_url, token=token, max_retries=settings.max_retries,
                              max_wait_seconds=settings.max_wait_seconds)
        every = list(dict.fromkeys(listed + json.loads(state.get(CATALOG_REPOS, "[]"))))
        return [read_github_repos(client, every, branch=settings.branch, state=state,
                                  source=source, collected_at=utc_now(), progress=progress)]

    label = f"github {', '.join(listed) or settings.api_url}"
    return Source("git", source, label, collect, state_keys=keys,
                  reads=catalog_repo_state if from_catalog else None, describe=_commits_loaded)


def catalog_repos(wh: Warehouse) -> list[str]:
    """`org/name` of every component's repo in the latest catalog snapshot of each source."""
    rows = wh.con.execute(
        "select annotations from raw_catalog_entities where kind = 'Component' and "
        "(source, collected_at) in (select (source, max(collected_at)) "
        "from raw_catalog_entities group by source)").fetchall()
    found: list[str] = []
    for (raw,) in rows:
        values = json.loads(raw) if raw else {}
        slug = values.get(_SLUG_ANNOTATION)
        if not slug:
            match = _GITHUB_URL.search(values.get(_LOCATION_ANNOTATION) or "")
            slug = match.group("slug") if match else None
        if slug:
            found.append(slug.strip().strip("/"))
    return sorted(set(found))


def catalog_repo_state(wh: Warehouse) -> dict[str, str]:
    """The catalog's repos (as JSON under CATALOG_REPOS) and each one's head and seq."""
    from fleetscope.collectors.git.commits import state_keys

    repos = catalog_repos(wh)
    state = {CATALOG_REPOS: json.dumps(repos)}
    for key in (k for repo in repos for k in state_keys(repo)):
        value = wh.get_state(key)
        if value is not None:
            state[key] = value
    return state


def incidents_file(path: Path, *, source: str = "incidents") -> Source:
    """An incidents CSV or JSON; rows replace by (source, incident id)."""
    def read(state: Mapping[str, str], progress: Progress) -> list[LoadBatch]:
        from fleetscope.collectors.incidents import read_incidents_file
        from fleetscope.warehouse import utc_now

        return [read_incidents_file(path, source=source, collected_at=utc_now())]

    return Source("incidents", source, f"incidents {path.name}", read, offline=True,
                  describe=loaded_line)


def plan_git_sources(config: Config, config_dir: Path) -> list[Source]:
    """The git and incidents sources the config names (after the catalog: `from_catalog`)."""
    from fleetscope.ops.sources import _expand, _resolve

    git = config.git
    found = [git_local([_resolve(p, config_dir) for p in git.repos], branch=git.branch,
                       source=git.source)] if git.repos else []
    for i, pattern in enumerate(git.files):
        found += [git_dump(p) for p in _expand(pattern, config_dir, key=f"git.files[{i}]")]
    found += [git_github(gh, source=git.source, from_catalog=git.from_catalog and i == 0)
              for i, gh in enumerate(git.github)]
    if config.incidents.path:
        found.append(incidents_file(_resolve(config.incidents.path, config_dir),
                                    source=config.incidents.source))
    return found


__all__ = ["catalog_repos", "git_dump", "git_github", "git_local", "incidents_file",
           "plan_git_sources"]
