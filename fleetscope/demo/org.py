"""The synthetic organisation: teams, apps, and when each app runs on Helios and on Kubernetes.

Times are hours from the start of the demo window (hour 0 = first day 00:00 UTC); a negative
start means "since before the window", `None` as an end means "still running at the end".
Everything is drawn from one numpy Generator in a fixed order, so a seed fixes the organisation.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

CLUSTERS = ("prod-eu", "prod-us", "staging-eu")

TEAMS = ("payments", "checkout", "search", "identity", "notifications", "recommendations",
         "ads", "fulfillment", "inventory", "pricing", "messaging", "analytics", "growth",
         "mobile-api", "fraud", "billing", "media", "data-eng", "support-tools", "platform")

SUFFIXES = ("api", "gateway", "worker", "ledger", "scheduler", "indexer", "consumer",
            "publisher", "frontend", "backend", "sync", "cache", "router", "aggregator",
            "exporter", "importer", "processor", "reconciler", "notifier", "store", "resolver",
            "proxy", "auditor", "reporter", "stream", "web", "admin", "graphql", "events",
            "registry", "feeds", "search", "profile", "session", "tokens", "webhooks")

PLATFORM_APPS = ("ingress-nginx", "cert-manager", "external-dns", "prometheus-operator",
                 "grafana", "argocd")

# Migration profiles of the product teams (platform is Kubernetes-native).
PROFILES = ("finished",) * 4 + ("stalled",) * 3 + ("not-started",) * 2 + ("progressing",) * 10

# How often apps deploy, per working day (daily / weekly / monthly / rarely in Four Keys terms).
DEPLOY_RATES = (0.8, 0.25, 0.06, 0.015)
DEPLOY_RATE_WEIGHTS = (0.15, 0.45, 0.3, 0.1)


@dataclass(eq=False)  # identity: apps are compared and looked up by object, never by value
class App:
    """One app (a Backstage component) and where it runs when."""

    app_id: str
    team: str
    kind: str                  # Deployment | StatefulSet | CronJob | GPU
    k8s_name: str              # workload name on Kubernetes
    helios_name: str           # job name on Helios
    clusters: tuple[str, ...]  # Kubernetes clusters it runs on once there
    replicas: int
    cpu_request: float | None  # cores per main container; None = no request set
    memory_request: float | None  # bytes
    cpu_util: float            # mean usage / request (or absolute cores with no request)
    memory_util: float
    has_sidecar: bool
    deploy_rate: float
    helios_start: float | None = None
    helios_end: float | None = None
    k8s_start: float | None = None
    k8s_end: float | None = None
    team_label: bool = True          # pods carry `team`
    backstage_label: bool = False    # pods carry `backstage.io/kubernetes-id`
    helios_component_metadata: bool = False  # Helios job metadata names the component
    in_catalog: bool = True
    catalog_owner: bool = True
    cluster_offsets: dict[str, float] = field(default_factory=dict)
    deploys: list[tuple[float, bool]] = field(default_factory=list)  # (hour, is_rollback)
    # The git sha of the release before the window and of each non-rollback deploy (history)
    releases: list[str] = field(default_factory=list)

    @property
    def namespace(self) -> str:
        return f"{self.team}-jobs" if self.kind == "CronJob" else self.team


@dataclass
class Org:
    """Teams, their migration profiles and apps over a window of `days` days."""

    days: int
    teams: dict[str, str]      # team -> profile
    apps: list[App]

    @property
    def hours(self) -> int:
        return self.days * 24


def _round_cpu(value: float) -> float:
    return float(max(10, round(value * 1000 / 10) * 10)) / 1000  # whole 10m steps, as people write


def _round_memory(value: float) -> float:
    return float(max(32, round(value / 2**20 / 32) * 32)) * 2**20  # whole 32Mi steps


def _new_app(rng: np.random.Generator, app_id: str, team: str, kind: str) -> App:
    replicas = int(rng.choice([1, 2, 2, 2, 3, 3, 5])) if kind == "Deployment" else (
        int(rng.choice([1, 3])) if kind == "StatefulSet" else 1)
    cpu = _round_cpu(float(rng.lognormal(np.log(0.3), 0.8)))
    memory = _round_memory(float(rng.lognormal(np.log(512 * 2**20), 0.7)))
    if kind == "StatefulSet":
        memory *= 4
    if kind == "GPU":
        cpu, memory = 2.0, 8.0 * 2**30
    # Most apps are over-provisioned (usage well below request); a few run above it.
    roll = rng.random()
    if roll < 0.06:
        util = float(rng.uniform(1.1, 1.5))
    elif roll < 0.75:
        util = float(rng.uniform(0.08, 0.35))
    else:
        util = float(rng.uniform(0.35, 0.85))
    if kind == "CronJob":
        util = float(rng.uniform(0.6, 0.95))
    memory_util = float(rng.uniform(0.35, 0.9))
    cpu_request: float | None = cpu
    memory_request: float | None = memory
    if kind == "Deployment" and rng.random() < 0.04:  # BestEffort: no requests at all
        cpu_request = memory_request = None
        util = float(rng.uniform(0.05, 0.3))  # absolute cores
        memory_util = float(rng.uniform(150, 600)) * 2**20  # absolute bytes
    rate = float(rng.choice(DEPLOY_RATES, p=DEPLOY_RATE_WEIGHTS))
    if kind == "CronJob":
        clusters: tuple[str, ...] = (("prod-eu", "prod-us")[int(rng.integers(2))],)
    elif kind == "GPU":
        clusters = ("prod-us",)
    else:
        roll = rng.random()
        clusters = (("prod-eu",) if roll < 0.45 else ("prod-us",) if roll < 0.7
                    else ("prod-eu", "prod-us"))
        if rng.random() < 0.5:
            clusters = ("staging-eu", *clusters)
    return App(app_id=app_id, team=team, kind=kind, k8s_name=app_id, helios_name=app_id,
               clusters=clusters, replicas=replicas, cpu_request=cpu_request,
               memory_request=memory_request, cpu_util=util, memory_util=memory_util,
               has_sidecar=bool(kind == "Deployment" and rng.random() < 0.2), deploy_rate=rate,
               team_label=bool(rng.random() < 0.88), backstage_label=bool(rng.random() < 0.4))


def _team_sizes(rng: np.random.Generator, total: int, teams: int) -> list[int]:
    weights = rng.dirichlet(np.full(teams, 4.0))
    sizes = np.maximum(5, np.floor(weights * total)).astype(int)
    while sizes.sum() < total:
        sizes[int(rng.integers(teams))] += 1
    while sizes.sum() > total:
        i = int(np.argmax(sizes))
        sizes[i] -= 1
    return [int(s) for s in sizes]


def _migration_window(rng: np.random.Generator, profile: str, days: int) -> tuple[float, float]:
    """Days between which a team moves its apps (moves after the window stay legacy)."""
    if profile == "finished":
        start = rng.uniform(0, 0.2 * days)
        return start, rng.uniform(0.45 * days, 0.65 * days)
    if profile == "stalled":  # a burst early on, then nothing for the last 8+ weeks
        return rng.uniform(0, 0.03 * days), rng.uniform(0.1 * days, 0.15 * days)
    if profile == "not-started":
        return days + 30.0, days + 60.0
    start = rng.uniform(0, 0.3 * days)
    return start, rng.uniform(0.9 * days, 2.2 * days)


def build_org(seed: int, days: int, *, first_weekday: int = 0, n_apps: int = 250) -> Org:
    """Draw the organisation for `seed` over `days` days (`first_weekday`: 0 = Monday)."""
    rng = np.random.default_rng(seed)
    hours = days * 24
    teams = {team: profile for team, profile in
             zip(TEAMS, (*rng.permutation(PROFILES).tolist(), "platform"), strict=True)}
    product_teams = [t for t in TEAMS if t != "platform"]
    sizes = _team_sizes(rng, n_apps - len(PLATFORM_APPS), len(product_teams))
    apps: list[App] = []
    for team, size in zip(product_teams, sizes, strict=True):
        profile = teams[team]
        suffixes = rng.choice(SUFFIXES, size=min(size, len(SUFFIXES)), replace=False).tolist()
        names = [f"{team}-{s}" for s in suffixes]
        names += [f"{team}-svc{i}" for i in range(size - len(names))]
        lo, hi = _migration_window(rng, profile, days)
        for i, name in enumerate(names):
            roll = rng.random()
            kind = ("StatefulSet" if roll < 0.07 else "CronJob" if roll < 0.13 else
                    "GPU" if roll < 0.15 and team in ("recommendations", "fraud", "search")
                    else "Deployment")
            # The model-serving app of recommendations: GPU nodes in every organisation.
            first_gpu = team == "recommendations" and i == 0
            app = _new_app(rng, name, team, "GPU" if first_gpu else kind)
            role = 0.0 if first_gpu else rng.random()
            if role < 0.12:  # born on Kubernetes: most before the window, some new services
                app.k8s_start = (-24.0 * rng.uniform(30, 700) if rng.random() < 0.7
                                 else 24.0 * rng.uniform(1, days - 5))
            elif role < 0.16 and profile != "finished":  # switched off, never migrated
                app.helios_start = -24.0 * rng.uniform(200, 1500)
                app.helios_end = 24.0 * rng.uniform(0.1 * days, 0.9 * days)
            else:
                app.helios_start = -24.0 * rng.uniform(100, 1500)
                move = rng.uniform(lo, hi)
                if profile == "stalled" and rng.random() < 0.5:
                    move = days + 100.0  # the half they never got to
                if move < days - 1:
                    app.k8s_start = 24.0 * move + rng.uniform(8, 18)
                    both = rng.uniform(4, 14) if profile != "stalled" else rng.uniform(3, 5)
                    if profile == "finished":
                        both = min(both, max(3.0, days - 3 - move))
                    end = app.k8s_start + 24.0 * both
                    app.helios_end = end if end < hours else None
            apps.append(app)
    for name in PLATFORM_APPS:
        app = _new_app(rng, name, "platform", "Deployment")
        app.k8s_start = -24.0 * rng.uniform(200, 700)
        app.clusters = CLUSTERS
        app.cpu_request = app.cpu_request or 0.2
        app.memory_request = app.memory_request or 256 * 2**20
        app.cpu_util = min(app.cpu_util, 0.5)
        apps.append(app)
    _add_quirks(rng, apps, teams, days)
    for app in apps:
        _schedule(rng, app, hours, first_weekday)
    return Org(days=days, teams=teams, apps=apps)


def _add_quirks(rng: np.random.Generator, apps: list[App], teams: dict[str, str],
                days: int) -> None:
    """Moves back, renamed workloads and jobs, and catalog gaps (what real data has)."""
    hours = days * 24
    moving = [a for a in apps if a.k8s_start is not None and a.helios_start is not None
              and teams[a.team] == "progressing" and 0 < a.k8s_start < hours - 30 * 24
              and a.kind == "Deployment"]
    for app in [moving[int(i)] for i in rng.choice(len(moving), size=min(2, len(moving)),
                                                   replace=False)]:
        # Tried Kubernetes, went back to Helios (status goes migrating -> legacy).
        assert app.k8s_start is not None
        app.k8s_end = app.k8s_start + 24.0 * rng.uniform(4, 9)
        app.helios_end = None
    product = [a for a in apps if a.team != "platform"]
    order = rng.permutation(len(product))
    picks = [product[int(i)] for i in order]
    on_k8s = [a for a in picks if a.k8s_start is not None and a.kind == "Deployment"]
    on_helios = [a for a in picks if a.helios_start is not None]
    for app in on_k8s[:8]:  # workload named differently, mapped by the Backstage label
        app.k8s_name = f"{app.app_id}-server"
        app.backstage_label = True
    for app in on_k8s[8:9]:  # ... and one nobody labelled: a gap in the app mapping
        app.k8s_name = f"{app.app_id}-v2"
        app.backstage_label = False
    for app in on_helios[:12]:  # legacy job names, mapped through job metadata
        app.helios_name = app.app_id.replace("-", "_")
        app.helios_component_metadata = True
    for app in picks[-4:]:
        app.catalog_owner = False
    for app in [a for a in picks if a.k8s_start is not None and a.helios_start is None][:2]:
        app.in_catalog = False
        app.team_label = True


def _schedule(rng: np.random.Generator, app: App, hours: int, first_weekday: int) -> None:
    """Per-cluster start offsets and the app's deploys (hour, is_rollback) inside the window."""
    offsets = {}
    for cluster in app.clusters:
        # Staging first, production a day or two later.
        offsets[cluster] = 0.0 if cluster == "staging-eu" else 24.0 * float(rng.uniform(0, 2))
    if app.k8s_start is not None and app.k8s_start < 0:
        offsets = dict.fromkeys(app.clusters, 0.0)
    app.cluster_offsets = offsets
    days = hours // 24
    working = [(first_weekday + d) % 7 < 5 for d in range(days)]
    draws = rng.random(days)
    hour_of_day = rng.uniform(9, 17.5, size=days)
    rollback = rng.random(days) < 0.04
    deploys: list[tuple[float, bool]] = []
    for day in range(1, days):
        if working[day] and draws[day] < app.deploy_rate:
            at = 24.0 * day + float(hour_of_day[day])
            deploys.append((at, False))
            if rollback[day] and len(deploys) > 1:
                deploys.append((at + float(rng.uniform(0.5, 3)), True))
    app.deploys = deploys
