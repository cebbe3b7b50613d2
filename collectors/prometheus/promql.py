"""Scoping PromQL to one part of a central store: matchers on every selector, a kept label.

A central store (Thanos, Mimir, VictoriaMetrics) holds many clusters' series side by side, told
apart by a label (`cluster="prod-eu"`). Every query the collector sends must then select one
cluster's series only, and an aggregation must not add two clusters together. Pasting a matcher
into one place of a query string misses the others (`sum(rate(a[1h])) / sum(rate(b[1h]))` has
two selectors), so `Scope.apply` tokenizes the PromQL and:

- adds the matchers to every vector selector: `metric` -> `metric{cluster="a"}`,
  `metric{x="1"}` -> `metric{x="1", cluster="a"}`, a bare `{__name__="m"}` likewise;
- with `keep`, makes every aggregation keep that label: `sum by (ns) (...)` ->
  `sum by (ns, cluster) (...)`, `sum(...)` -> `sum(...) by (cluster)`; a `without (...)`
  clause keeps it already.

Label names inside `{...}` and the label lists of `by`, `without`, `on`, `ignoring`,
`group_left`, `group_right` are never taken for metric names, nor are function names, keywords,
strings, numbers and durations (`[1h:5m]`, `offset 1ms`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_TOKEN = re.compile(
    r"""
    (?P<space>\s+|\#[^\n]*)
  | (?P<string>"(?:\\.|[^"\\])*"|'(?:\\.|[^'\\])*'|`[^`]*`)
  | (?P<number>(?:\d|\.\d)[\w.]*(?:[eE][-+]?\d+)?)
  | (?P<ident>[A-Za-z_:][A-Za-z0-9_:]*)
  | (?P<punct>[{}()\[\],@])
  | (?P<op>==|!=|=~|!~|<=|>=|[-+*/%^<>=])
""",
    re.VERBOSE,
)
_OPEN = {"(": ")", "[": "]", "{": "}"}
_LABEL_LISTS = {"by", "without", "on", "ignoring", "group_left", "group_right"}
_WORDS = {"offset", "bool", "and", "or", "unless", "atan2", "inf", "nan"}
AGGREGATIONS = {
    "sum",
    "min",
    "max",
    "avg",
    "group",
    "stddev",
    "stdvar",
    "count",
    "count_values",
    "bottomk",
    "topk",
    "quantile",
    "limitk",
    "limit_ratio",
}


class PromQLError(ValueError):
    """The text is not PromQL this rewriter can scope (unbalanced brackets, stray characters)."""


@dataclass(frozen=True)
class _Token:
    kind: str
    text: str
    start: int
    end: int


def tokens(query: str) -> list[_Token]:
    """The significant tokens of a query (spaces and comments dropped)."""
    out, at = [], 0
    while at < len(query):
        match = _TOKEN.match(query, at)
        if match is None:
            raise PromQLError(f"unexpected character {query[at]!r} at {at} in {query!r}")
        kind = match.lastgroup or ""
        if kind != "space":
            out.append(_Token(kind, match.group(), at, match.end()))
        at = match.end()
    return out


def _pairs(toks: list[_Token], query: str) -> dict[int, int]:
    """Index of each opening bracket's closing one."""
    stack: list[int] = []
    pairs: dict[int, int] = {}
    for i, tok in enumerate(toks):
        if tok.kind != "punct" or tok.text in ",@":
            continue
        if tok.text in _OPEN:
            stack.append(i)
        elif not stack or _OPEN[toks[stack[-1]].text] != tok.text:
            raise PromQLError(f"unbalanced {tok.text!r} at {tok.start} in {query!r}")
        else:
            pairs[stack.pop()] = i
    if stack:
        raise PromQLError(f"unclosed {toks[stack[-1]].text!r} in {query!r}")
    return pairs


@dataclass(frozen=True)
class Scope:
    """Matchers added to every selector (`cluster="a"`), and a label aggregations keep."""

    matchers: tuple[str, ...] = ()
    keep: str | None = None

    def apply(self, query: str) -> str:
        """The query with every selector scoped and every aggregation keeping `keep`."""
        if not self.matchers and not self.keep:
            return query
        toks = tokens(query)
        inserts = _Rewrite(self, toks, _pairs(toks, query)).inserts()
        out, at = [], 0
        for offset, text in sorted(inserts, key=lambda item: item[0]):
            out += [query[at:offset], text]
            at = offset
        return "".join(out) + query[at:]


class _Rewrite:
    """One walk over a query's tokens, collecting (offset, text) insertions."""

    def __init__(self, scope: Scope, toks: list[_Token], pairs: dict[int, int]) -> None:
        self.scope, self.toks, self.pairs = scope, toks, pairs
        self.found: list[tuple[int, str]] = []

    def _text(self, i: int) -> str:
        return self.toks[i].text.lower() if i < len(self.toks) else ""

    def inserts(self) -> list[tuple[int, str]]:
        i = 0
        while i < len(self.toks):
            tok = self.toks[i]
            if tok.text == "[":  # a range or subquery: durations only
                i = self.pairs[i] + 1
            elif tok.text == "{":  # a selector without a metric name
                i = self._selector(i)
            elif tok.kind == "ident":
                i = self._ident(i)
            else:
                i += 1
        return self.found

    def _ident(self, i: int) -> int:
        word, after = self._text(i), self._text(i + 1)
        if word in _LABEL_LISTS:
            if after != "(":
                return i + 1  # group_left without labels
            close = self.pairs[i + 1]
            if word == "by" and self.scope.keep:
                empty = close == i + 2
                self.found.append(
                    (self.toks[close].start, ("" if empty else ", ") + self.scope.keep)
                )
            return close + 1
        if word in _WORDS:
            return i + 1
        if after == "(":  # a function or an aggregation
            close = self.pairs[i + 1]
            if (
                word in AGGREGATIONS
                and self.scope.keep
                and self._text(close + 1) not in ("by", "without")
            ):
                self.found.append((self.toks[close].end, f" by ({self.scope.keep})"))
            return i + 1
        if word in AGGREGATIONS and after in ("by", "without"):
            return i + 1
        if after == "{":
            return self._selector(i + 1)
        if self.scope.matchers:
            self.found.append((self.toks[i].end, "{" + ", ".join(self.scope.matchers) + "}"))
        return i + 1

    def _selector(self, i: int) -> int:
        """Matchers added before the `}` of the selector opening at token `i`."""
        close = self.pairs[i]
        if self.scope.matchers:
            joined = ", ".join(self.scope.matchers)
            bare = close == i + 1 or self.toks[close - 1].text == ","
            self.found.append((self.toks[close].start, joined if bare else f", {joined}"))
        return close + 1


def label_matcher(label: str, value: str) -> str:
    """`label="value"` with the value's quotes and backslashes escaped."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{label}="{escaped}"'
