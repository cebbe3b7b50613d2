"""The weekly mail: the leadership headline and a team's page as HTML that mail clients render.

Mail clients strip `<style>` blocks and scripts and ignore most layout CSS, so the body is plain
tables with inline `style` attributes, no script and no external resource but the optional PNG
chart sent inside the message (`cid:`). Every name from a label is escaped (`esc`). The key
chart is a static PNG only when plotly's image export (kaleido and a Chrome) works here; the same
numbers always follow as a table, which is also what a client that blocks images shows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from fleetscope.config import Config
from fleetscope.reports import metrics, team
from fleetscope.reports.ga import count_failing
from fleetscope.reports.html import fmt, money, pct
from fleetscope.reports.names import esc
from fleetscope.reports.weeks import IsoWeek

CHART_CID = "platform-cost"
_FONT = "font-family:Arial,Helvetica,sans-serif;color:#1f2933;"
_TABLE = "border-collapse:collapse;margin:8px 0 16px 0;font-size:14px;"
_TH = "padding:4px 10px;border-bottom:2px solid #cbd2d9;background:#f5f7fa;"
_TD = "padding:4px 10px;border-bottom:1px solid #e4e7eb;"
_NUM = "text-align:right;white-space:nowrap;"
_TEXT = "text-align:left;"
_UP, _DOWN = "color:#b42318;", "color:#027a48;"  # cost up is bad news


@dataclass(frozen=True)
class MailPage:
    """One message: subject, HTML and plain-text bodies, PNG images by content id."""

    subject: str
    html: str
    text: str
    images: dict[str, bytes] = field(default_factory=dict)


def _table(headings: Sequence[str], rows: Sequence[Sequence[str]],
           numeric: Sequence[bool]) -> str:
    """Cells arrive escaped (they may hold a coloured span)."""
    head = "".join(f'<th style="{_TH}{_NUM if n else _TEXT}">{esc(h)}</th>'
                   for h, n in zip(headings, numeric, strict=True))
    body = "".join(
        "<tr>" + "".join(f'<td style="{_TD}{_NUM if n else ""}">{cell}</td>'
                         for cell, n in zip(row, numeric, strict=True)) + "</tr>"
        for row in rows)
    return f'<table role="presentation" style="{_TABLE}"><tr>{head}</tr>{body}</table>'


def _signed_money(delta: float, currency: str) -> str:
    style = _UP if delta > 0 else _DOWN if delta < 0 else ""
    return f'<span style="{style}">{esc(fmt(delta, "money_signed:" + currency))}</span>'


def _change_row(label: str, ch: metrics.Change, currency: str) -> list[str]:
    relative = "new" if ch.pct is None else pct(ch.pct, signed=True)
    if ch.current == 0 and ch.previous == 0:
        relative = "–"
    return [esc(label), esc(money(ch.current, currency)), esc(money(ch.previous, currency)),
            _signed_money(ch.delta, currency), esc(relative) + (" (notable)" if ch.notable
                                                                 else "")]


def _page(title: str, parts: Sequence[str], link: str | None, link_text: str) -> str:
    button = (f'<p style="margin:20px 0;"><a href="{esc(link)}" style="background:#1f6feb;'
              f'color:#ffffff;padding:10px 16px;text-decoration:none;border-radius:4px;">'
              f"{esc(link_text)}</a></p>" if link else "")
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f"<title>{esc(title)}</title></head>"
            f'<body style="margin:0;padding:16px;{_FONT}">'
            f'<h1 style="font-size:20px;margin:0 0 12px 0;">{esc(title)}</h1>'
            f'{"".join(parts)}{button}</body></html>\n')


def _h2(text: str) -> str:
    return f'<h2 style="font-size:16px;margin:16px 0 4px 0;">{esc(text)}</h2>'


def platform_chart_png(weekly: pd.DataFrame) -> bytes | None:
    """The weekly cost by platform as a PNG, or None when plotly cannot export images here
    (kaleido or its Chrome missing): the mail then carries the table alone."""
    if weekly.empty:
        return None
    try:
        import plotly.graph_objects as go

        figure = go.Figure([go.Bar(name=name, x=[str(d) for d in part["week_start"]],
                                   y=list(part["cost"]))
                            for name, part in weekly.groupby("platform")])
        figure.update_layout(barmode="stack", width=640, height=300,
                             margin={"l": 40, "r": 10, "t": 10, "b": 40})
        return bytes(figure.to_image(format="png"))
    except Exception:  # any export failure means "no image", never no mail
        return None


def _platform_section(weekly: pd.DataFrame, currency: str, png: bytes | None) -> str:
    wide = weekly.pivot_table(index="week_start", columns="platform", values="cost",
                              aggfunc="sum", fill_value=0.0).reset_index()
    platforms = [c for c in ("kubernetes", "helios") if c in wide.columns]
    rows = [[esc(IsoWeek.of(w).label), *(esc(money(float(r[p]), currency)) for p in platforms)]
            for w, (_, r) in zip(wide["week_start"], wide.iterrows(), strict=True)]
    image = (f'<img src="cid:{CHART_CID}" alt="Weekly cost by platform" width="640" '
             'style="display:block;max-width:100%;">' if png else "")
    return (_h2("Weekly cost by platform") + image
            + _table(["Week", *(p.capitalize() for p in platforms)], rows,
                     [False, *([True] * len(platforms))]))


def leadership_mail(con: metrics.Connection, week: IsoWeek, *, config: Config,
                    link: str | None, subject: str, chart: bool = True) -> MailPage:
    """The leadership report's headline section: cost against last week, the top movers, the
    weekly platform split, data quality and GA readiness, and a link to the full report."""
    cur, rep = config.pricing.currency, config.reports
    head = metrics.headline(con, week, engineer_cost_per_year=rep.engineer_cost_per_year,
                            min_pct=rep.notable_change_pct)
    movers = metrics.top_movers(metrics.team_cost_changes(
        con, week, engineer_cost_per_year=rep.engineer_cost_per_year,
        min_pct=rep.notable_change_pct))
    weekly = metrics.platform_cost_weekly(con, week, weeks=8)
    png = platform_chart_png(weekly) if chart else None
    status, detail = metrics.quality_status(con)
    failing, judged = count_failing(con, week)
    heads = ["", "This week", "Last week", "Change", "Change %"]
    lines = [("Total", head.total), ("Kubernetes", head.kubernetes), ("Helios", head.legacy),
             ("Idle capacity", head.idle)]
    parts = [
        f'<p style="margin:0 0 8px 0;">Week {esc(week.label)} ({esc(week.start)} to '
        f"{esc(week.end)}), {head.days_with_data} day(s) of cost data.</p>",
        _h2("Cost"),
        _table(heads, [_change_row(n, c, cur) for n, c in lines], [False, *[True] * 4]),
        _h2("Top movers"),
        _table(["Team", "This week", "Change"],
               [[esc(r["team"]), esc(money(r["cost"], cur)), _signed_money(r["change"], cur)]
                for r in movers.to_dict("records")], [False, True, True])
        if not movers.empty else "<p>No team's cost moved.</p>",
        _platform_section(weekly, cur, png) if not weekly.empty else "",
        f"<p><strong>Data quality:</strong> {esc(status)} ({esc(detail)}).</p>",
        f"<p><strong>GA readiness:</strong> {failing} of {judged} checks failing.</p>"
        if judged else "",
    ]
    text = (f"fleetscope weekly report {week.label}\nTotal cost {money(head.total.current, cur)}"
            f" ({fmt(head.total.delta, 'money_signed:' + cur)} vs last week)\n"
            f"Data quality: {status}\n" + (f"Full report: {link}\n" if link else ""))
    return MailPage(subject, _page(f"fleetscope weekly report {week.label}", parts, link,
                                   "Open the full report"),
                    text, {CHART_CID: png} if png else {})


def team_mail(con: metrics.Connection, team_name: str, week: IsoWeek, *, config: Config,
              link: str | None, subject: str) -> MailPage:
    """A team's page in short: its cost against last week, shared and idle share, by app."""
    cur, rep = config.pricing.currency, config.reports
    changes = metrics.team_cost_changes(
        con, week, engineer_cost_per_year=rep.engineer_cost_per_year,
        min_pct=rep.notable_change_pct)
    mine = changes[changes["team"] == team_name].to_dict("records")
    row = mine[0] if mine else {"cost": 0.0, "previous_cost": 0.0, "change": 0.0,
                                "shared_cost": 0.0, "idle_share_cost": 0.0, "loaded_cost": 0.0}
    apps = team.cost_by_app(con, team_name, week)
    parts = [
        _h2("Cost"),
        _table(["This week", "Last week", "Change", "Shared", "Idle share", "Fully loaded"],
               [[esc(money(row["cost"], cur)), esc(money(row["previous_cost"], cur)),
                 _signed_money(row["change"], cur), esc(money(row["shared_cost"], cur)),
                 esc(money(row["idle_share_cost"], cur)), esc(money(row["loaded_cost"], cur))]],
               [True] * 6),
        _h2("By app"),
        _table(["App", "Platform", "This week", "Last week"],
               [[esc(a["app_id"]), esc(a["platform"]), esc(money(a["cost"], cur)),
                 esc(money(a["previous_cost"], cur))] for a in apps.to_dict("records")],
               [False, False, True, True]) if not apps.empty else "<p>No app cost.</p>",
    ]
    title = f"{team_name}: fleetscope weekly report {week.label}"
    text = (f"{title}\nCost {money(row['cost'], cur)} "
            f"({fmt(row['change'], 'money_signed:' + cur)} vs last week)\n"
            + (f"Team page: {link}\n" if link else ""))
    return MailPage(subject, _page(title, parts, link, "Open the team page"), text)
