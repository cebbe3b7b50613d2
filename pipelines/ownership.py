"""Ownership and app-identity rules from the config (and the override file) as `ref_*` tables.

The override file (`ownership.overrides_file`, YAML) maps names that do not match on their own:

    apps:                          # canonical app id (the Backstage component name) → members
      payments-api:
        team: payments             # optional: the app's team, wins over every other rule
        repo: acme/payments-api    # optional: its repository (org/name), wins over Backstage
        kubernetes:                # workloads that are this app
          - pay-svc                # a workload name, in any cluster and namespace
          - payments/pay-worker    # namespace/workload
          - {cluster: prod-eu, namespace: payments, kind: CronJob, workload: pay-report}
        helios: [payapi]           # Helios job names (the `name` of name:version:hash)
    teams:                         # team by place, for workloads no app rule names a team for
      - {team: search, namespace: search-prod}
      - {team: platform, cluster: prod-eu, namespace: kube-system, workload: coredns}

Where several rules match one object the most specific one wins (most fields given), then the
first in the file.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from fleetscope.config import Config
from fleetscope.errors import ConfigError

APP_COLUMNS = [
    "platform",
    "cluster",
    "namespace",
    "workload_kind",
    "object_name",
    "app_id",
    "specificity",
    "priority",
]
TEAM_COLUMNS = [
    "app_id",
    "cluster",
    "namespace",
    "workload_kind",
    "workload_name",
    "team",
    "specificity",
    "priority",
]
REPO_COLUMNS = ["app_id", "repo"]
_WORKLOAD_KEYS = {"cluster", "namespace", "kind", "workload"}
_TEAM_RULE_KEYS = {"team", "cluster", "namespace", "kind", "workload"}
_APP_KEYS = {"team", "repo", "kubernetes", "helios"}
# A Helios job rule names the job only: it matches in any cluster, namespace and kind.
_ANYWHERE = {"cluster": None, "namespace": None, "workload_kind": None}


def ownership_tables(config: Config) -> dict[str, pd.DataFrame]:
    """`ref_label_keys`, `ref_app_overrides` and `ref_team_overrides` for the SQL models.

    `ref_label_keys` (key_kind, label_key, priority): which labels name the team or app, in order
    (and, kind `billing_team`, which bill line tags name the team).
    `ref_app_overrides`: platform (kubernetes | helios), optional cluster/namespace/workload_kind,
    object_name (workload or Helios job name) → app_id. `ref_team_overrides`: a team for an app
    (app_id set) or for workloads by place (cluster/namespace/workload_kind/workload_name).
    `ref_app_repos` (app_id, repo): the repository an app is built from, where the file names one.
    """
    o = config.ownership
    rows: list[dict[str, Any]] = []
    for kind, keys in (
        ("team", o.team_label_keys),
        ("namespace_team", o.namespace_team_keys),
        ("app", o.app_label_keys),
        ("helios_component", o.helios_component_metadata_keys),
        # bill lines' `Tags` keys naming the team of cloud spend outside Kubernetes
        ("billing_team", config.billing.team_tag_keys),
        # the Job/CronJob label marking smoke tests (stg_k8s_jobs)
        ("smoke_test", [config.ga.smoke_test_label]),
    ):
        rows.extend(
            {"key_kind": kind, "label_key": key, "priority": i} for i, key in enumerate(keys)
        )
    keys = pd.DataFrame(rows, columns=["key_kind", "label_key", "priority"])
    apps, teams = read_overrides(Path(o.overrides_file)) if o.overrides_file else ([], [])
    repos = [r for r in apps if r["platform"] == "repo"]
    return {
        "ref_label_keys": keys,
        "ref_app_overrides": _typed([r for r in apps if r["platform"] != "repo"], APP_COLUMNS),
        "ref_team_overrides": _typed(teams, TEAM_COLUMNS),
        "ref_app_repos": _typed(
            [{"app_id": r["app_id"], "repo": r["object_name"]} for r in repos], REPO_COLUMNS
        ),
    }


def _typed(rows: list[dict[str, Any]], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=columns)
    # Typed even when empty, so that SQL joins compare strings with strings.
    return frame.astype(
        {c: ("int64" if c in ("specificity", "priority") else "string") for c in columns}
    )


def _name(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: expected a non-empty name, got {value!r}")
    return value.strip()


def _check_keys(entry: Mapping[str, Any], allowed: set[str], where: str) -> None:
    unknown = sorted(set(entry) - allowed)
    if unknown:
        raise ConfigError(f"{where}: unknown key(s) {unknown} (known: {sorted(allowed)})")


def _workload_rule(entry: Any, where: str) -> dict[str, Any]:
    """`name`, `namespace/name` or a mapping → the place a workload override matches."""
    if isinstance(entry, str):
        parts = entry.split("/")
        if len(parts) > 2 or not all(p.strip() for p in parts):
            raise ConfigError(
                f"{where}: expected 'workload' or 'namespace/workload', got {entry!r}"
            )
        return {
            "cluster": None,
            "namespace": parts[0] if len(parts) == 2 else None,
            "workload_kind": None,
            "object_name": parts[-1].strip(),
        }
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}: expected a name or a mapping, got {entry!r}")
    _check_keys(entry, _WORKLOAD_KEYS, where)
    if "workload" not in entry:
        raise ConfigError(f"{where}: missing key 'workload'")
    return {
        "cluster": _name(entry["cluster"], f"{where}.cluster") if "cluster" in entry else None,
        "namespace": (
            _name(entry["namespace"], f"{where}.namespace") if "namespace" in entry else None
        ),
        "workload_kind": _name(entry["kind"], f"{where}.kind") if "kind" in entry else None,
        "object_name": _name(entry["workload"], f"{where}.workload"),
    }


def _specificity(rule: Mapping[str, Any], keys: tuple[str, ...]) -> int:
    return sum(rule[k] is not None for k in keys)


def read_overrides(path: Path) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """Parse the override file into app rows and team rows, naming the bad key on error."""
    document = _read_document(path)
    app_rows: list[dict[str, Any]] = []
    team_rows: list[dict[str, Any]] = []
    apps = document.get("apps") or {}
    if not isinstance(apps, Mapping):
        raise ConfigError(f"{path}: apps: expected a mapping of app id to its members")
    for app_id, spec in apps.items():
        _app_rules(app_id, spec, f"{path}: apps.{app_id}", app_rows, team_rows)
    teams = document.get("teams") or []
    if not isinstance(teams, list):
        raise ConfigError(f"{path}: teams: expected a list of {{team, namespace, ...}}")
    for i, entry in enumerate(teams):
        team_rows.append({**_place_rule(entry, f"{path}: teams[{i}]"), "priority": len(team_rows)})
    return app_rows, team_rows


def _read_document(path: Path) -> Mapping[str, Any]:
    """The override file as a mapping with only `apps` and `teams`, or a ConfigError."""
    import yaml

    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError:
        raise ConfigError(f"{path}: ownership override file not found") from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        line = f":{mark.line + 1}" if mark is not None else ""
        raise ConfigError(f"{path}{line}: invalid YAML: {exc.problem}") from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"{path}: invalid YAML: {exc}") from None
    if not isinstance(document, Mapping):
        raise ConfigError(f"{path}: expected a mapping with 'apps' and/or 'teams'")
    _check_keys(document, {"apps", "teams"}, str(path))
    return document


def _app_rules(
    app_id: Any,
    spec: Any,
    where: str,
    app_rows: list[dict[str, Any]],
    team_rows: list[dict[str, Any]],
) -> None:
    """Append one `apps.<app>` entry's team rule and its Kubernetes and Helios members."""
    app_id = _name(app_id, where)
    spec = spec or {}
    if not isinstance(spec, Mapping):
        raise ConfigError(f"{where}: expected a mapping with team/kubernetes/helios")
    _check_keys(spec, _APP_KEYS, where)
    if "team" in spec:
        team_rows.append(
            {
                "app_id": app_id,
                "cluster": None,
                "namespace": None,
                "workload_kind": None,
                "workload_name": None,
                "team": _name(spec["team"], f"{where}.team"),
                "specificity": 0,
                "priority": len(team_rows),
            }
        )
    app_rows.extend(_member_rules(app_id, spec, where, first_priority=len(app_rows)))
    if "repo" in spec:
        # carried as a pseudo-platform row, split off into `ref_app_repos` by ownership_tables
        repo = _name(spec["repo"], f"{where}.repo")
        if repo.count("/") != 1 or not all(repo.split("/")):
            raise ConfigError(f"{where}.repo: expected 'org/name', got {repo!r}")
        app_rows.append(
            {
                "platform": "repo",
                **_ANYWHERE,
                "object_name": repo,
                "app_id": app_id,
                "specificity": 0,
                "priority": len(app_rows),
            }
        )


def _member_rules(
    app_id: str, spec: Mapping[str, Any], where: str, first_priority: int
) -> list[dict[str, Any]]:
    """An app's Kubernetes workload rules, then its Helios job names, as app override rows."""
    workloads = spec.get("kubernetes") or []
    if not isinstance(workloads, list):
        raise ConfigError(f"{where}.kubernetes: expected a list")
    rows: list[dict[str, Any]] = []
    for i, entry in enumerate(workloads):
        rule = _workload_rule(entry, f"{where}.kubernetes[{i}]")
        specificity = _specificity(rule, ("cluster", "namespace", "workload_kind"))
        rows.append({"platform": "kubernetes", **rule, "specificity": specificity})
    jobs = spec.get("helios") or []
    if not isinstance(jobs, list):
        raise ConfigError(f"{where}.helios: expected a list of job names")
    for i, job in enumerate(jobs):
        name = _name(job, f"{where}.helios[{i}]")
        rows.append({"platform": "helios", **_ANYWHERE, "object_name": name, "specificity": 0})
    return [{**row, "app_id": app_id, "priority": first_priority + i} for i, row in enumerate(rows)]


def _place_rule(entry: Any, where: str) -> dict[str, Any]:
    """One `teams` entry → a team rule by place (without its priority)."""
    if not isinstance(entry, Mapping):
        raise ConfigError(f"{where}: expected a mapping")
    _check_keys(entry, _TEAM_RULE_KEYS, where)
    if "team" not in entry:
        raise ConfigError(f"{where}: missing key 'team'")
    rule = {
        "cluster": entry.get("cluster"),
        "namespace": entry.get("namespace"),
        "workload_kind": entry.get("kind"),
        "workload_name": entry.get("workload"),
    }
    for key, value in rule.items():
        if value is not None:
            _name(value, f"{where}.{key}")
    if rule["namespace"] is None and rule["workload_name"] is None:
        raise ConfigError(f"{where}: give 'namespace' and/or 'workload'")
    return {
        "app_id": None,
        **rule,
        "team": _name(entry["team"], f"{where}.team"),
        "specificity": _specificity(rule, tuple(rule)),
    }
