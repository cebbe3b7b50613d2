"""`fleetscope collect git`: commit history from local clones, a JSON dump or GitHub."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import click

from fleetscope.cli.context import AppContext, lock_timeout_option, pass_app


@click.command("git")
@click.option("--repo", "repos", multiple=True, type=click.Path(path_type=Path),
              help="A local clone, read with the git CLI (repeatable).")
@click.option("--name", help="With one --repo: its name as org/name [default: the origin "
                             "remote's slug, else the folder's name].")
@click.option("--branch", help="Branch to read [default: HEAD, or GitHub's default branch].")
@click.option("--from-file", "files", multiple=True, type=click.Path(path_type=Path),
              help="A JSON dump of commit histories (docs/sources.md; repeatable).")
@click.option("--github", "github_repos", multiple=True, metavar="ORG/NAME",
              help="A GitHub repository read through the REST API (repeatable); API URL and "
                   "token from the config's first [[git.github]].")
@click.option("--api-url", help="GitHub REST API base URL [default: the config's, else "
                                "https://api.github.com].")
@click.option("--from-catalog", is_flag=True,
              help="Also read through GitHub every repo the catalog's components annotate "
                   "(github.com/project-slug or backstage.io/source-location).")
@click.option("--source", help="Name of this collection [default: the config's git.source].")
@lock_timeout_option
@pass_app
def collect_git(app: AppContext, repos: tuple[Path, ...], name: str | None, branch: str | None,
                files: tuple[Path, ...], github_repos: tuple[str, ...], api_url: str | None,
                from_catalog: bool, source: str | None) -> None:
    """Collect commit history: sha, parents, author hash, times, first-parent order.

    Only the commits made since the last run are read from a clone or from GitHub; rows are
    replaced by (repo, sha), so a rerun changes nothing. No message, diff or e-mail is kept.
    With no option, collects what the config's [git] section names.

    \b
    Examples:
      fleetscope collect git --repo ~/src/payments-api --repo ~/src/checkout
      fleetscope collect git --repo ./checkout --name acme/checkout --branch main
      fleetscope collect git --from-file commits.json
      GITHUB_TOKEN=... fleetscope collect git --github acme/payments-api --from-catalog
    """
    from fleetscope.config import GitHubSource
    from fleetscope.ops import sources_git

    config = app.config.git
    source = source or config.source
    if name and len(repos) != 1:
        raise click.UsageError("--name needs exactly one --repo")
    chosen = [sources_git.git_local(list(repos), name=name, branch=branch, source=source)
              ] if repos else []
    chosen += [sources_git.git_dump(p) for p in files]
    if github_repos or from_catalog:
        settings = config.github[0] if config.github else GitHubSource()
        settings = dataclasses.replace(settings, api_url=api_url or settings.api_url,
                                       branch=branch or settings.branch)
        chosen.append(sources_git.git_github(settings, repos=list(github_repos), source=source,
                                             from_catalog=from_catalog))
    if not chosen:
        chosen = [s for s in sources_git.plan_git_sources(app.config, app.config_dir)
                  if s.kind == "git"]
    if not chosen:
        raise click.UsageError("give --repo, --from-file, --github or --from-catalog, or "
                               "configure [git]")
    app.collect(chosen, noun="repositories" if len(chosen) > 1 else None)


__all__ = ["collect_git"]
