"""The analysts' reference `docs/marts.md`, generated from the models' YAML.

Every model whose YAML says `docs: {show: true}` (every mart, the staging views DESIGN names and
the deploy events) gets a section: grain, materialization, description, a table of its columns
(type, unit, meaning, tests) and its example query. Regenerate after changing a YAML:

    .venv/bin/python -m fleetscope.pipelines.catalog_doc [OUT]

`tests/test_deploys_catalog_doc.py` fails while a documented column lacks a description, a YAML
column differs from the built relation, or the file is out of date.
"""

from __future__ import annotations

import sys
from pathlib import Path

from fleetscope.pipelines.invariants import INVARIANTS
from fleetscope.pipelines.model_spec import GRAIN_TEST, ColumnSpec, ModelSpec, load_specs

DOC_PATH = Path(__file__).resolve().parent.parent / "docs" / "marts.md"


_INTRO = """\
# Marts reference

The analysts' API: every mart, the staging views DESIGN.md names and the deploy events, with
their grain, columns (type, unit, meaning) and an example query. Dates are UTC calendar days;
money is DOUBLE in `pricing.currency` (USD by default); `__idle__`, `__unallocated__`,
`__unmounted__` and `__all__` are reserved team names (docs/architecture.md). Open the warehouse
read-only (`fleetscope query SQL`, or `duckdb.connect(path, read_only=True)` in a notebook).

Generated from each model's YAML (`pipelines/models/<layer>/<name>.yml`: grain, columns with type,
unit and meaning, tests, example) by `pipelines/catalog_doc.py`; regenerate with
`.venv/bin/python -m fleetscope.pipelines.catalog_doc` after changing a model's YAML. Deploys and
deployment frequency: see the last section.
"""

_DEPLOYS = """\
## Deploys and deployment frequency: definitions

- A deploy is a new revision of a Kubernetes Deployment (each cluster, namespace, Deployment and
  revision counts once) or a new Helios job id of a job name first seen deployed.
- Time of a Kubernetes deploy: the ReplicaSet's creation, except where Kubernetes reused an
  older ReplicaSet for the revision (a return to an earlier pod template keeps the old
  ReplicaSet and gives it the next revision number); then the first pod it started after the
  earlier revisions, else the first snapshot showing the revision. Helios: the job's first
  history event, else the first snapshot with it deployed (goal START).
- Rollback (change-failure proxy): a deploy whose images equal those of the deploy two before it
  (same workload, among the revisions observed), at most 24 h after the deploy it undoes.
  Redeploying an existing Helios job id is not a new version and is not counted.
- Every cluster counts: a release rolled out to a staging and two production clusters is three
  deploys. `int_deploy_events` (one row per deploy, with its cluster) is there to restrict an
  analysis to production clusters.
- Deploys before the first snapshot day of their cluster or Helios installation are left out
  (only the ReplicaSets kept by `revisionHistoryLimit` survive from before).
- Deployment frequency follows the Four Keys dashboard query (fourkeys), per ISO week over the
  13 ISO weeks ending that week (weeks before the data start left out): `daily` when the median
  number of days with a deploy per week is at least 3; `weekly` when the median week has a
  deploy; `monthly` when, for the median week, its calendar month has a week with a deploy;
  else `yearly`. Rows exist only where the window holds a deploy. Weeks without a deploy count
  from the data start, so an app first deployed recently reads a slower bucket until its
  deploys fill the window.
- Limits: a Deployment deleted and recreated under the same name restarts its revisions, and
  its new revisions that reuse a number already seen are not counted again; rollbacks on
  Helios (redeploying an earlier job id) are not seen; lead time is not built (no commit
  timestamps are collected).
"""


def documented(specs: list[ModelSpec] | None = None) -> list[ModelSpec]:
    """The models docs/marts.md describes: the marts, then the others shown, by name."""
    specs = load_specs() if specs is None else specs
    shown = [s for s in specs if s.docs_show]
    return sorted(shown, key=lambda s: (s.layer != "marts", s.name))


def documented_relations() -> list[str]:
    return [s.name for s in documented()]


def missing_descriptions(specs: list[ModelSpec] | None = None) -> list[str]:
    """One line per documented column without a description, or documented relation without
    columns or an example query."""
    problems: list[str] = []
    for spec in documented(specs):
        problems += [f"{spec.name}.{c.name}: no description" for c in spec.columns
                     if not c.description]
        if not spec.columns:
            problems.append(f"{spec.name}: no columns")
        if not spec.example:
            problems.append(f"{spec.name}: no example query")
    return problems


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _tests(column: ColumnSpec) -> str:
    names = []
    for test in column.tests:
        if test.name == "accepted_values":
            names.append("one of " + ", ".join(f"`{v}`" for v in test.args["values"]))
        else:
            names.append(test.name.replace("_", " "))
    return ", ".join(names)


def _model_tests(spec: ModelSpec) -> list[str]:
    lines = []
    for test in spec.tests:
        if test.name == GRAIN_TEST:
            lines.append("Tested: one row per " + " × ".join(spec.grain) + ".")
        else:
            invariant = INVARIANTS[test.name](test.args)
            lines.append(f"Tested (`{invariant.check}`): {invariant.meaning}.")
    return lines


def _section(spec: ModelSpec) -> list[str]:
    grain = " × ".join(f"`{c}`" for c in spec.grain) or "(not stated)"
    out = [f"## {spec.name}\n",
           f"Grain: {grain}. Materialized: {spec.materialized}"
           + (f" by `{spec.date_column}`" if spec.date_column else "")
           + f"; model `pipelines/models/{spec.layer}/{spec.name}.sql`.\n",
           " ".join(spec.description.split()) + "\n",
           "| column | type | unit | meaning | tests |", "|---|---|---|---|---|"]
    out += [f"| `{c.name}` | {c.data_type} | {_cell(c.unit)} | {_cell(c.description)} | "
            f"{_cell(_tests(c))} |" for c in spec.columns]
    out.append("")
    out += [f"- {line}" for line in _model_tests(spec)]
    if spec.tests:
        out.append("")
    if spec.example:
        out.append(f"```sql\n{spec.example.strip()}\n```\n")
    return out


def render_marts_doc(specs: list[ModelSpec] | None = None) -> str:
    """The Markdown of docs/marts.md."""
    shown = documented(specs)
    out = [_INTRO, "## Contents\n", *[f"- [`{s.name}`](#{s.name})" for s in shown], ""]
    for spec in shown:
        out += _section(spec)
    out.append(_DEPLOYS)
    return "\n".join(out)


def main(argv: list[str]) -> int:
    """`python -m fleetscope.pipelines.catalog_doc [OUT]`: (re)write docs/marts.md."""
    problems = missing_descriptions()
    if problems:
        print("\n".join(problems), file=sys.stderr)
        return 1
    out = Path(argv[0]) if argv else DOC_PATH
    out.write_text(render_marts_doc(), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
