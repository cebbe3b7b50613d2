"""The PromQL behind each dump series, built from the configured metric and label names.

Every query is a `query_range` at a 1-hour step; the sample at T describes the hour [T-1h, T).
`k` below is `namespace, pod, container, node` (configured label names; a label a metric lacks,
such as `node` on kube-state-metrics' running series, simply drops out of the grouping).
`cf` keeps real containers only: `container!="", container!="POD"` (cAdvisor also reports the
pod cgroup and the pause container, which would count usage twice). `offset 1ms` turns the
closed range `[T-1h, T]` of Prometheus 2.x into `[T-1h, T)`, so a sample on an hour boundary
belongs to one hour only (Prometheus 3's ranges are left-open; both then agree).

Dump series and their queries (`wss` = the working-set gauge):
- container_cpu_usage_cores: `sum by (k) (rate(container_cpu_usage_seconds_total{cf}[1h]))`,
  core-seconds of the hour / 3600; `rate` corrects counter resets (a container restart).
- container_memory_working_set_bytes_avg: `sum by (k) (sum_over_time(wss{cf}[1h] offset 1ms))`
  / `sum by (k) (count_over_time(...))`: the mean while the container ran (memory byte-hours
  = this x running fraction, as the cost model charges them).
- container_memory_working_set_bytes_max: `max by (k) (max_over_time(wss{cf}[1h] offset 1ms))`.
- container_cpu_request_cores: `max by (k) (avg_over_time(
  kube_pod_container_resource_requests{resource="cpu"}[1h] offset 1ms))`; memory and GPU the
  same with `resource="memory"` / `resource="<gpu_resource>"`.
- container_running_fraction: `sum_over_time(kube_pod_container_status_running[...])` /
  `count_over_time(...)` (the share of samples running) x presence.
- init containers: kube-state-metrics reports them under their own names,
  `kube_pod_init_container_status_running` and `kube_pod_init_container_resource_requests`
  (init_run_*, init_req_*: the same queries); their hours go into the same dump series, and
  container_is_init is 1 for them. A container cAdvisor shows with no running series of either
  kind ran for the presence of its working-set series (mem_count): a 2-minute init container
  in 1-minute samples ran 2/60 h, not the hour.
- node_cpu_capacity_cores: `max by (node) (max_over_time(
  kube_node_status_capacity{resource="cpu"}[1h] offset 1ms))`; memory and GPU likewise.
- node_present_fraction: presence of `kube_node_status_capacity{resource="cpu"}`.
- node_labels: `sum by (node, <[prometheus.node_labels] names>) (count_over_time(
  kube_node_labels[1h] offset 1ms))`, samples per hour of each combination of node labels,
  resolved to instance type, capacity type and zone (`node_labels`).

Presence of a series in an hour = samples in the hour / samples per hour, capped at 1 (and 1
when at most one sample is missing: scrape times jitter); for the hours strictly between the
first and last hour a series is seen it is 1, because a Kubernetes object that exists before
and after an hour existed during it: fewer samples there mean a scrape gap, not absence. So a
pod or node that exists for part of an hour gets that part, and a scrape gap does not lower
running time or presence (nor the CPU average: the counter kept counting). Samples per hour are
learnt from the data (`presence`), unless `prometheus.scrape_interval_seconds` is set; the
presence queries look one hour past each end of the window, so a series that goes on after
`--end` (or began before `--start`) is not cut there.
"""

from __future__ import annotations

from dataclasses import dataclass

from fleetscope.collectors.prometheus import ga_series
from fleetscope.collectors.prometheus.node_labels import label_names
from fleetscope.config import PrometheusConfig

STEP = "1h"
HOUR_RANGE = "[1h] offset 1ms"


@dataclass(frozen=True)
class RawQuery:
    """One query the collector runs; `{ns}` is where a namespace matcher goes."""

    name: str
    kind: str  # container | node | pod (namespace, pod) | signal (one series per hour)
    template: str
    # presence queries also run one hour before and after the window (a window's edge is not
    # a series' edge) and name the raw series their scrape interval can be measured on
    look_around: bool = False
    probe: str = ""  # raw selector; `{more}` is where a series' own label matchers go
    by: tuple[str, ...] = ()  # labels a node query keeps besides the node's

    def render(self, namespace_matcher: str = "") -> str:
        """The PromQL with an optional `, namespace=~"..."` matcher filled in."""
        return self.template.replace("{ns}", namespace_matcher)


def raw_queries(config: PrometheusConfig) -> list[RawQuery]:
    """Every query of one collection, in the order they run."""
    m, lb = config.metrics, config.labels
    facts = label_names(config.node_labels)
    k = f"{lb.namespace}, {lb.pod}, {lb.container}, {lb.node}"
    cf = f'{lb.container}!="", {lb.container}!="POD"'
    named = f'{lb.container}!=""'  # always true; lets the namespace matcher follow a comma

    def per_hour(outer: str, inner: str, metric: str, selector: str) -> str:
        """`outer by (k) (inner_over_time(metric{selector}[1h]))` per container."""
        return (f"{outer} by ({k}) ({inner}_over_time({metric}{{{selector}{{ns}}}}"
                f"{HOUR_RANGE}))")

    def request(resource: str, metric: str = m.requests) -> str:
        return (f"max by ({k}) (avg_over_time({metric}"
                f'{{{lb.resource}="{resource}"{{ns}}}}{HOUR_RANGE}))')

    def capacity(resource: str, how: str = "max_over_time") -> str:
        agg = "max"
        return (f"{agg} by ({lb.node}) ({how}({m.node_capacity}"
                f'{{{lb.resource}="{resource}"}}{HOUR_RANGE}))')

    return [
        RawQuery("cpu_rate", "container",
                 f"sum by ({k}) (rate({m.cpu_usage}{{{cf}{{ns}}}}[1h]))"),
        RawQuery("mem_sum", "container", per_hour("sum", "sum", m.memory_working_set, cf)),
        RawQuery("mem_count", "container", per_hour("sum", "count", m.memory_working_set, cf),
                 probe=f"{m.memory_working_set}{{{cf}{{more}}}}"),
        RawQuery("mem_max", "container", per_hour("max", "max", m.memory_working_set, cf)),
        RawQuery("req_cpu", "container", request("cpu")),
        RawQuery("req_memory", "container", request("memory")),
        RawQuery("req_gpu", "container", request(config.gpu_resource)),
        RawQuery("run_sum", "container", per_hour("sum", "sum", m.running, named),
                 look_around=True),
        RawQuery("run_count", "container", per_hour("sum", "count", m.running, named),
                 look_around=True, probe=f"{m.running}{{{named}{{more}}}}"),
        RawQuery("init_req_cpu", "container", request("cpu", m.init_requests)),
        RawQuery("init_req_memory", "container", request("memory", m.init_requests)),
        RawQuery("init_req_gpu", "container", request(config.gpu_resource, m.init_requests)),
        RawQuery("init_run_sum", "container", per_hour("sum", "sum", m.init_running, named),
                 look_around=True),
        RawQuery("init_run_count", "container", per_hour("sum", "count", m.init_running, named),
                 look_around=True, probe=f"{m.init_running}{{{named}{{more}}}}"),
        RawQuery("node_cpu", "node", capacity("cpu")),
        RawQuery("node_memory", "node", capacity("memory")),
        RawQuery("node_gpu", "node", capacity(config.gpu_resource)),
        RawQuery("node_count", "node", capacity("cpu", "count_over_time"), look_around=True,
                 probe=f'{m.node_capacity}{{{lb.resource}="cpu"{{more}}}}'),
        RawQuery("node_labels", "node",
                 f"sum by ({', '.join((lb.node, *facts))}) "
                 f"(count_over_time({m.node_labels}{HOUR_RANGE}))", by=facts),
        # scheduling per pod and golden signals (`ga_series`)
        *(RawQuery(name, kind, template) for name, kind, template in ga_series.queries(config)),
    ]


def query_keys(query: RawQuery, config: PrometheusConfig) -> tuple[str, ...]:
    """The labels a query's series are keyed by."""
    lb = config.labels
    return {"container": (lb.namespace, lb.pod, lb.container, lb.node),
            "pod": (lb.namespace, lb.pod), "signal": query.by}.get(query.kind, (lb.node, *query.by))


def namespace_matcher(label: str, namespaces: list[str]) -> str:
    """`, namespace=~"a|b"` with RE2 metacharacters and quotes escaped."""
    special = set("\\.+*?()|[]{}^$")
    parts = []
    for name in namespaces:
        escaped = "".join(("\\\\" + ch) if ch in special else ch for ch in name)
        parts.append(escaped.replace('"', '\\"'))
    return f', {label}=~"{"|".join(parts)}"'


def sizing_query(config: PrometheusConfig, range_seconds: int) -> str:
    """Containers per namespace seen in the `range_seconds` before each evaluation time."""
    m, lb = config.metrics, config.labels
    cf = f'{lb.container}!="", {lb.container}!="POD"'
    return (f"count by ({lb.namespace}) (count by ({lb.namespace}, {lb.pod}, {lb.container}) "
            f"(count_over_time({m.memory_working_set}{{{cf}{{ns}}}}[{range_seconds}s])))")
