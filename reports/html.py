"""Small HTML pieces the notebooks display: headline cards, tables, the freshness banner.

Everything that can come from a label or a name goes through `esc`; numbers are formatted here so
that every page says money and percentages the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from fleetscope.reports.metrics import Change
from fleetscope.reports.names import esc


def money(value: float | None, currency: str) -> str:
    """`12,345 USD`; cents below 100 so that small teams do not all read `0 USD`."""
    if value is None or pd.isna(value):
        return "–"
    digits = 2 if abs(value) < 100 else 0
    return f"{value:,.{digits}f} {currency}"


def pct(value: float | None, *, signed: bool = False, digits: int = 1) -> str:
    """`42.0%`, or `+5.2%` with `signed`; a dash where there is no value."""
    if value is None or pd.isna(value):
        return "–"
    return f"{value:+.{digits}f}%" if signed else f"{value:.{digits}f}%"


def plural(count: int, noun: str) -> str:
    """`1 deploy`, `3 deploys`."""
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def change_text(ch: Change, currency: str) -> str:
    """`+1,234 USD (+5.2%) vs last week`, with a notable badge (HTML)."""
    if ch.previous == 0 and ch.current == 0:
        return "no cost in either week"
    direction = "fs-up" if ch.delta > 0 else "fs-down" if ch.delta < 0 else ""
    sign = "+" if ch.delta > 0 else ""
    relative = "new" if ch.pct is None else pct(ch.pct, signed=True)
    badge = ' <span class="fs-badge">notable</span>' if ch.notable else ""
    return (f'<span class="{direction}">{esc(sign + money(ch.delta, currency))} '
            f"({esc(relative)})</span> vs last week{badge}")


@dataclass(frozen=True)
class Card:
    label: str
    value: str
    detail_html: str = ""


def cards(items: Sequence[Card]) -> str:
    """A row of headline numbers."""
    parts = [f'<div class="fs-card"><div class="fs-label">{esc(c.label)}</div>'
             f'<div class="fs-value">{esc(c.value)}</div>'
             f'<div class="fs-change">{c.detail_html}</div></div>' for c in items]
    return f'<div class="fs-cards">{"".join(parts)}</div>'


def table(frame: pd.DataFrame, columns: Sequence[tuple[str, str, str]], *,
          empty: str = "Nothing to show.", max_rows: int | None = None) -> str:
    """An HTML table; `columns` are (column, heading, kind), kind as in `fmt`: text, money:CUR,
    money_signed:CUR, pct, pct_signed, pts, int, float, cores, mib, bool, date, datetime.
    Every cell is escaped."""
    if frame.empty:
        return f'<p class="fs-muted">{esc(empty)}</p>'
    shown = frame if max_rows is None else frame.head(max_rows)
    head = "".join(f'<th class="{_cls(kind)}">{esc(title)}</th>' for _, title, kind in columns)
    rows = []
    for record in shown.to_dict("records"):
        cells = "".join(f'<td class="{_cls(kind)}">{esc(fmt(record.get(col), kind))}</td>'
                        for col, _, kind in columns)
        rows.append(f"<tr>{cells}</tr>")
    more = ""
    if max_rows is not None and len(frame) > max_rows:
        more = f'<p class="fs-muted">{len(frame) - max_rows} more rows in the CSV.</p>'
    return (f'<table class="fs-table"><thead><tr>{head}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table>{more}')


def _cls(kind: str) -> str:
    return "" if kind in ("text", "date", "bool") else "fs-num"


def fmt(value: Any, kind: str) -> str:
    """One value as text, by the kinds of `table`."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return "–"
    if kind.startswith("money_signed:"):
        text = money(float(value), kind.split(":", 1)[1])
        return f"+{text}" if float(value) > 0 else text
    if kind.startswith("money:"):
        return money(float(value), kind.split(":", 1)[1])
    if kind == "pct":
        return pct(float(value))
    if kind == "pct_signed":
        return pct(float(value), signed=True)
    if kind == "pts":
        return f"{float(value):+.1f} pts"
    if kind == "cores":
        return f"{1000 * float(value):,.0f}m"
    if kind == "mib":
        return f"{float(value) / 2**20:,.0f} MiB"
    if kind == "int":
        return f"{int(value):,}"
    if kind == "float":
        return f"{float(value):,.3f}"
    if kind == "bool":
        return "yes" if value else ""
    if kind == "date":
        return str(value)[:10]
    if kind == "datetime":
        return str(value)[:16].replace("T", " ")
    return str(value)


def banner(fresh: pd.DataFrame, quality: tuple[str, str], now: datetime, *,
           max_staleness_hours: float, quality_href: str = "") -> str:
    """Data freshness per source and cluster, and the data-quality status, as one banner."""
    stale = fresh[fresh["stale"]] if not fresh.empty else fresh
    status, detail = quality
    ok = not fresh.empty and stale.empty and status in ("passed", "not checked")
    link = f' <a href="{esc(quality_href)}">details</a>' if quality_href else ""
    lines = [f"<div><strong>Data quality:</strong> {esc(status)} ({esc(detail)}).{link}</div>"]
    if fresh.empty:
        lines.append("<div>No collection has been recorded yet.</div>")
    else:
        items = []
        for record in fresh.to_dict("records"):
            age = record["age_hours"]
            when = ("never succeeded" if age is None or pd.isna(age)
                    else f"{fmt(record['last_collected_at'], 'datetime')} UTC "
                         f"({age:.0f} h ago)")
            failed = (f", {int(record['failed_since'])} failed since"
                      if record["failed_since"] else "")
            mark = " &#9888; stale" if record["stale"] else ""
            items.append(f"<li>{esc(record['source_kind'])} / {esc(record['source_name'])}: "
                         f"{esc(when)}{esc(failed)}{mark}</li>")
        lines.append(f"<div><strong>Freshness</strong> (stale after {max_staleness_hours:g} h, "
                     f"as of {esc(now.strftime('%Y-%m-%d %H:%M'))} UTC):<ul>"
                     f"{''.join(items)}</ul></div>")
    level = "fs-ok" if ok else "fs-warn"
    return f'<div class="fs-banner {level}">{"".join(lines)}</div>'
