"""Commit history: a local clone (git CLI), a JSON dump, or the GitHub REST API.

Every mode yields the same `raw_git_commits` rows (collectors.git.commits) in `LoadBatch`es keyed
by (repo, sha), with the branch head and its first-parent position as state, so the next run
reads only the commits made since.
"""

from fleetscope.collectors.git.commits import Commit, RepoHistory, history_batch, state_keys
from fleetscope.collectors.git.dump import read_dump_file
from fleetscope.collectors.git.local import read_local_repo, read_local_repos

__all__ = ["Commit", "RepoHistory", "history_batch", "read_dump_file", "read_local_repo",
           "read_local_repos", "state_keys"]
