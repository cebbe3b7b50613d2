"""A model's DuckDB SQL as Spark SQL: sqlglot's transpile, plus fixes where the dialects differ.

sqlglot (read="duckdb", write="spark") maps most functions; what it leaves wrong for our models
is fixed on the syntax tree before writing Spark SQL:

* named parameters (`$first_day`, ...) become DATE / TIMESTAMP literals (Spark SQL has none);
* `len(list)` -> `size(list)` (sqlglot reads DuckDB's `len` as string length);
* `regexp_full_match(s, p)` -> `s rlike '^(?:p)$'` (Spark's `rlike` searches like
  `regexp_matches`);
* `isfinite(x)` -> `x not in (inf, -inf) and not isnan(x)`;
* `quantile_cont(x, q)` and `percentile_cont(q) within group (order by x)` (which sqlglot
  makes an approximate percentile) -> `percentile(x, q)` (both interpolate linearly between ranks);
* `json_extract_string(j, '$."' || key || '"')` -> `from_json(j, 'map<string,string>')[key]`
  (Spark's JSON path has no quoted member names, and annotation keys hold '.' and '/');
* `from_json(j, '["VARCHAR"]')` -> `from_json(j, 'array<string>')`;
* `strftime(d, '%G-W%V')` (ISO week) -> year-of-week || '-W' || two-digit week;
* `cast(json as varchar[])` -> `from_json(json, 'array<string>')`;
* `interval (n) day` -> `n * interval '1' day`; `date_column - date_column` -> `datediff`;
* `l[i]` (1-based, negative from the end) -> `element_at`, `l[a:]` -> `slice`;
* `generate_series(a, b, step) as g(w)` / `range` in FROM -> `lateral explode(sequence(...))`,
  and every series guarded `if(a > b, array(), ...)` (Spark's `sequence` fails on a > b);
* `any_value(x)` -> `any_value(x, true)` (DuckDB's skips NULLs);
* `(a, b) in (select (a, b) ...)` -> `(a, b) in (select a, b ...)`;
* `cast('0x' || hex as bigint)` (DuckDB reads a hex literal) -> `cast(conv(hex, 16, 10) as bigint)`;
* `union` in a recursive CTE -> `union all` (Spark 4 allows only UNION ALL there): the walk
  then may reach a row twice (a DAG: it still ends), so a model's recursive CTE must be read
  through an aggregate that duplicates do not change (int_git_commits_shipped_with: `min`).

Spark itself runs with `spark.sql.ansi.enabled=false` (x / 0 is NULL, as in DuckDB) and the
session time zone UTC (timestamps are naive UTC in the warehouse). Ordering keeps DuckDB's
NULLS LAST: sqlglot writes it out because Spark sorts NULLs first.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import cast

import sqlglot
from sqlglot import exp

_PARAMETER = re.compile(r"\$([a-z_]+)")
_LEN = re.compile(r"\blen\(", re.IGNORECASE)


def _literal(value: date | datetime) -> str:
    if isinstance(value, datetime):
        return f"timestamp '{value.isoformat(sep=' ')}'"
    return f"date '{value.isoformat()}'"


def spark_sql(sql: str, values: Mapping[str, date | datetime] | None = None) -> str:
    """The Spark SQL of one model's DuckDB `sql`, with its named parameters bound to `values`."""
    bound = values or {}
    # models use `len(` only on lists (string length is `length(`)
    text = _LEN.sub("array_length(", sql)
    text = _PARAMETER.sub(lambda m: _literal(bound[m.group(1)]), text)
    tree = sqlglot.parse_one(text, read="duckdb")
    # sqlglot does not descend into a node a fix replaced: a second pass fixes what it holds
    tree = tree.transform(_fix).transform(_fix)
    return tree.sql(dialect="spark")


def _fix(node: exp.Expression) -> exp.Expression:
    if isinstance(node, exp.Anonymous):
        return _anonymous(node)
    if isinstance(node, exp.RegexpFullMatch):
        return _full_match(node.this, node.expression)
    if isinstance(node, exp.FromJson) and node.expression.name == '["VARCHAR"]':
        return exp.Anonymous(
            this="from_json", expressions=[node.this, exp.Literal.string("array<string>")]
        )
    if isinstance(node, exp.Bracket) and len(node.expressions) == 1:
        return _element(node)
    if (
        isinstance(node, exp.PercentileCont)
        and node.expression is not None
        and not isinstance(node.parent, exp.WithinGroup)
    ):
        return exp.Anonymous(this="percentile", expressions=[node.this, node.expression])
    if isinstance(node, exp.WithinGroup) and isinstance(node.this, exp.PercentileCont):
        # sqlglot writes percentile_cont(q) within group (order by x) as percentile_approx
        ordered = node.expression.expressions[0]
        return exp.Anonymous(this="percentile", expressions=[ordered.this, node.this.this])
    if isinstance(node, exp.IgnoreNulls) and isinstance(node.this, exp.AnyValue):
        node = node.this
    if isinstance(node, exp.AnyValue):
        # DuckDB's any_value skips NULLs; sqlglot's `IGNORE NULLS` cannot precede a FILTER
        return exp.Anonymous(this="any_value", expressions=[node.this, exp.true()])
    if isinstance(node, exp.Quantile):
        return exp.Anonymous(this="percentile", expressions=[node.this, node.args["quantile"]])
    if isinstance(node, exp.JSONExtractScalar):
        return _json_member(node)
    if isinstance(node, exp.Cast) and node.to.is_type(exp.DataType.Type.ARRAY):
        # a JSON list column cast to a list: Spark parses JSON with from_json
        return exp.Anonymous(
            this="from_json",
            expressions=[node.this, exp.Literal.string(node.to.sql(dialect="spark").lower())],
        )
    if isinstance(node, exp.Interval) and not isinstance(node.this, exp.Literal):
        # `interval (n) day` with n an expression: n times one unit
        unit = node.args["unit"].name
        return exp.Mul(
            this=exp.Paren(this=node.this.unnest()),
            expression=exp.Interval(this=exp.Literal.string("1"), unit=exp.Var(this=unit)),
        )
    return _fix_rest(node)


def _fix_rest(node: exp.Expression) -> exp.Expression:
    """`_fix`'s second half: date arithmetic, series, IN, week formats, casts, recursive CTEs."""
    if isinstance(node, exp.Sub) and _is_date(node.this) and _is_date(node.expression):
        # date - date: DuckDB's whole days, Spark's an interval
        return exp.Anonymous(this="datediff", expressions=[node.this, node.expression])
    if isinstance(node, exp.Table) and isinstance(node.this, exp.GenerateSeries):
        return _series_table(node)
    if isinstance(node, exp.GenerateSeries) and not node.args.get("is_end_exclusive"):
        return _guarded(node.args["start"], node.args["end"], node.args.get("step"))
    if isinstance(node, exp.In) and isinstance(node.args.get("query"), exp.Subquery):
        _untuple(node.args["query"].this)
    if isinstance(node, exp.TimeToStr):
        return _iso_week(node)
    if isinstance(node, exp.Cast) and _is_hex_text(node.this):
        digits = exp.Anonymous(
            this="conv",
            expressions=[node.this.expression, exp.Literal.number(16), exp.Literal.number(10)],
        )
        return exp.Cast(this=digits, to=node.to)
    if isinstance(node, exp.Union) and node.args.get("distinct") and _in_recursive_cte(node):
        node.set("distinct", False)
    return node


def _is_hex_text(node: exp.Expression) -> bool:
    return (
        isinstance(node, exp.DPipe)
        and isinstance(node.this, exp.Literal)
        and node.this.is_string
        and node.this.name == "0x"
    )


def _in_recursive_cte(node: exp.Expression) -> bool:
    cte = node.find_ancestor(exp.CTE)
    if cte is None:
        return False
    with_ = cte.find_ancestor(exp.With)
    return bool(with_ is not None and with_.args.get("recursive") and cte.this is node)


def _anonymous(node: exp.Anonymous) -> exp.Expression:
    name = node.name.lower()
    args = node.expressions
    if name == "regexp_full_match":
        return _full_match(args[0], args[1])
    if name == "isfinite":
        value = args[0]
        return cast(
            exp.Expression,
            exp.and_(
                exp.not_(
                    exp.In(
                        this=value.copy(),
                        expressions=[
                            sqlglot.parse_one("double('inf')", read="spark"),
                            sqlglot.parse_one("double('-inf')", read="spark"),
                        ],
                    )
                ),
                exp.not_(exp.Anonymous(this="isnan", expressions=[value.copy()])),
            ),
        )
    return node


def _element(node: exp.Bracket) -> exp.Expression:
    # element_at is 1-based and counts from the end for negative indexes, as DuckDB does;
    # sqlglot read a literal index as 0-based (index - 1) but leaves expressions as written
    index = node.expressions[0]
    if isinstance(index, exp.Slice):  # l[a:] -> slice(l, a, size(l))
        if index.expression is not None:
            return node
        return exp.Anonymous(
            this="slice",
            expressions=[
                node.this,
                index.this,
                exp.Anonymous(this="size", expressions=[node.this.copy()]),
            ],
        )
    if isinstance(index, exp.Literal | exp.Neg) and index.is_int:
        index = exp.Literal.number(int(index.sql()) + 1)
    return exp.Anonymous(this="element_at", expressions=[node.this, index])


def _spark(text: str) -> exp.Expression:
    return cast(exp.Expression, sqlglot.parse_one(text, read="spark"))


def _is_date(node: exp.Expression) -> bool:
    # the models name DATE columns `<x>_date` or `day` (docs/architecture.md)
    return isinstance(node, exp.Column) and (node.name == "day" or node.name.endswith("_date"))


def _series_table(node: exp.Table) -> exp.Expression:
    """`generate_series(a, b, step) as g(w)` / `range(a, b) as g(w)` in FROM -> a lateral
    explode of Spark's `sequence`, which includes its end as generate_series does."""
    series = node.this
    end = series.args["end"]
    if series.args.get("is_end_exclusive"):  # range(a, b) stops before b
        end = exp.Sub(this=end, expression=exp.Literal.number(1))
    alias = node.args["alias"].sql(dialect="spark")
    query = _spark(f"select * from lateral explode(_series) as {alias}")
    placeholder = query.find(exp.Column)
    assert placeholder is not None
    placeholder.replace(_guarded(series.args["start"], end, series.args.get("step")))
    return query.args["from_"].this


def _guarded(
    start: exp.Expression, end: exp.Expression, step: exp.Expression | None
) -> exp.Expression:
    # generate_series(a, b) is empty when a > b; Spark's sequence(a, b) fails instead. An
    # Anonymous `sequence`, so that the second pass does not read it as a series again.
    args = [start.copy(), end.copy()] + ([step.copy()] if step is not None else [])
    empty = exp.GT(this=exp.Paren(this=start.copy()), expression=exp.Paren(this=end.copy()))
    return exp.If(
        this=empty,
        true=exp.Array(expressions=[]),
        false=exp.Anonymous(this="sequence", expressions=args),
    )


def _untuple(select: exp.Expression) -> None:
    # `(a, b) in (select (a, b) ...)`: DuckDB compares structs, Spark wants two columns
    if (
        isinstance(select, exp.Select)
        and len(select.expressions) == 1
        and isinstance(select.expressions[0], exp.Tuple)
    ):
        select.set("expressions", list(select.expressions[0].expressions))


def _full_match(value: exp.Expression, pattern: exp.Expression) -> exp.Expression:
    if isinstance(pattern, exp.Literal):
        pattern = exp.Literal.string(f"^(?:{pattern.name})$")
    return exp.RegexpLike(this=value, expression=pattern)


def _json_member(node: exp.JSONExtractScalar) -> exp.Expression:
    path = node.expression
    text = path.sql(dialect="duckdb").strip("'") if isinstance(path, exp.JSONPath) else ""
    each = re.fullmatch(r"\$\[\*\]\.(\w+)", text)
    if each:  # '$[*].field': the list of every element's field
        return _spark(
            f"transform(from_json({node.this.sql(dialect='spark')}, "
            f"'array<map<string,string>>'), e -> e['{each.group(1)}'])"
        )
    parts = list(path.flatten()) if isinstance(path, exp.DPipe) else []
    if len(parts) == 3 and parts[0].name == '$."' and parts[2].name == '"':
        as_map = exp.Anonymous(
            this="from_json", expressions=[node.this, exp.Literal.string("map<string,string>")]
        )
        return exp.Bracket(this=as_map, expressions=[parts[1]])
    return node


def _iso_week(node: exp.TimeToStr) -> exp.Expression:
    if node.args.get("format") is None or node.args["format"].name != "%G-W%V":
        return node
    day = node.this.sql(dialect="spark")
    return _spark(
        f"concat(cast(extract(yearofweek from {day}) as string), '-W', "
        f"lpad(cast(weekofyear({day}) as string), 2, '0'))"
    )
