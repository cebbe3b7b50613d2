"""`promql.Scope`: matchers on every vector selector, the cluster label kept by aggregations.

The rewritten queries run against a real Prometheus in tests/test_prom_central.py (every
collector query, golden signals included); here each rule is shown on one query, the expected
text written by hand.
"""

from __future__ import annotations

import pytest

from fleetscope.collectors.prometheus.promql import PromQLError, Scope, label_matcher
from fleetscope.config import parse_config
from fleetscope.errors import ConfigError

A = Scope(('cluster="a"',))
KEEP = Scope(('cluster="a"',), "cluster")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("up", 'up{cluster="a"}'),
        ('up{job="x"}', 'up{job="x", cluster="a"}'),
        ('up{job="x",}', 'up{job="x",cluster="a"}'),
        ('{__name__="up"}', '{__name__="up", cluster="a"}'),
        ("up{}", 'up{cluster="a"}'),
        # both selectors of a ratio, none of the function or label names
        (
            'sum(rate(req{code=~"5.."}[1h])) / sum(rate(req[1h]))',
            'sum(rate(req{code=~"5..", cluster="a"}[1h])) / sum(rate(req{cluster="a"}[1h]))',
        ),
        # label lists, durations, subqueries, offsets and strings are left alone
        (
            'sum by (namespace, pod) (max_over_time(m{c!=""}[1h:5m] offset 1ms))',
            'sum by (namespace, pod) (max_over_time(m{c!="", cluster="a"}[1h:5m] offset 1ms))',
        ),
        (
            'a / on (node) group_left (zone) label_replace(b, "x", "$1", "y", "(.*)")',
            'a{cluster="a"} / on (node) group_left (zone) '
            'label_replace(b{cluster="a"}, "x", "$1", "y", "(.*)")',
        ),
        ("a and bool_metric", 'a{cluster="a"} and bool_metric{cluster="a"}'),
    ],
)
def test_matchers_go_on_every_selector(query, expected):
    assert A.apply(query) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("sum by (ns) (m)", 'sum by (ns, cluster) (m{cluster="a"})'),
        ("sum(m) by (ns)", 'sum(m{cluster="a"}) by (ns, cluster)'),
        ("sum(m) / 600", 'sum(m{cluster="a"}) by (cluster) / 600'),
        ("sum without (pod) (m)", 'sum without (pod) (m{cluster="a"})'),
        (
            "histogram_quantile(0.99, sum by (le) (rate(h_bucket[1h])))",
            'histogram_quantile(0.99, sum by (le, cluster) (rate(h_bucket{cluster="a"}[1h])))',
        ),
        ("count by () (m)", 'count by (cluster) (m{cluster="a"})'),
    ],
)
def test_aggregations_keep_the_cluster_label(query, expected):
    assert KEEP.apply(query) == expected


def test_no_scope_leaves_the_query_as_it_is():
    assert Scope().apply("sum by (a) (m{x='1'})") == "sum by (a) (m{x='1'})"


@pytest.mark.parametrize("query", ["sum(m", 'm{a="1"', "m]", "m ; n"])
def test_text_that_is_not_promql_is_refused(query):
    with pytest.raises(PromQLError):
        A.apply(query)


def test_label_values_are_escaped():
    assert label_matcher("cluster", 'we"ird\\') == 'cluster="we\\"ird\\\\"'


def _config(source: dict) -> None:
    parse_config(
        {"prometheus": {"sources": [{"url": "http://m:9009/prometheus", **source}]}},
        source="f.toml",
    )


@pytest.mark.parametrize(
    ("source", "message"),
    [
        (
            {"cluster": "a", "matchers": ["cluster=a"]},
            "f.toml: prometheus.sources[0].matchers[0]: 'cluster=a' is not a PromQL label matcher",
        ),
        (
            {"cluster": "a", "matchers": ['cluster="a"', "sum(x)"]},
            "f.toml: prometheus.sources[0].matchers[1]: 'sum(x)' is not a PromQL label matcher",
        ),
        (
            {"cluster": "a", "cluster_label": "cluster"},
            "f.toml: prometheus.sources[0]: set cluster (one cluster's server) or cluster_label",
        ),
        ({"matchers": []}, "f.toml: missing required key 'prometheus.sources[0].cluster' (or "),
        (
            {"cluster_label": "k8s-cluster"},
            "f.toml: prometheus.sources[0].cluster_label: 'k8s-cluster' is not a label name",
        ),
        (
            {"cluster": "a", "headers": {"X-Scope-OrgID": "tenant-1"}},
            "f.toml: prometheus.sources[0].headers.X-Scope-OrgID: expected env:VARIABLE",
        ),
    ],
)
def test_bad_central_store_config_names_the_source_and_field(source, message):
    with pytest.raises(ConfigError) as caught:
        _config(source)
    assert message in str(caught.value)


def test_good_central_store_config_is_read():
    _config(
        {
            "cluster_label": "k8s_cluster",
            "matchers": ['region=~"eu-.*"', "env != 'dev'"],
            "headers": {"X-Scope-OrgID": "env:MIMIR_TENANT"},
        }
    )
