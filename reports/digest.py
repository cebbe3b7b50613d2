"""The chat summary of a week: top movers, failing GA checks and new alerts, as Slack JSON.

An incoming webhook takes `{"text": ..., "blocks": [...]}`; `text` is the notification and the
fallback, `blocks` the message. Slack's mrkdwn treats `&`, `<` and `>` as markup, so every name
from a label goes through `_mrkdwn`. `mart_alerts` (the alerts contract of issue 18) may not
exist yet: no mart means no alerts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from fleetscope.config import Config
from fleetscope.reports import metrics
from fleetscope.reports.ga import failing, scorecard
from fleetscope.reports.html import fmt, money
from fleetscope.reports.weeks import IsoWeek

ALERTS = "mart_alerts"
ALERT_COLUMNS = ["alert_id", "alert_kind", "team", "app_id", "cluster", "raised_on", "severity",
                 "title", "detail", "amount"]


@dataclass(frozen=True)
class Digest:
    """What the chat message says about one week."""

    week: IsoWeek
    total: metrics.Change
    movers: pd.DataFrame
    failing_checks: pd.DataFrame
    alerts: pd.DataFrame


def new_alerts(con: metrics.Connection, since: IsoWeek, sent: set[str]) -> pd.DataFrame:
    """Alerts raised from the week's Monday on that were never sent, oldest first."""
    if not set(ALERT_COLUMNS) <= metrics.columns(con, ALERTS):
        return pd.DataFrame(columns=ALERT_COLUMNS)
    frame = con.execute(
        f"select {', '.join(ALERT_COLUMNS)} from {ALERTS} where raised_on >= ? "
        "order by raised_on, case severity when 'critical' then 0 when 'warning' then 1 else 2 "
        "end, alert_id", [since.start]).df()
    return frame[~frame["alert_id"].isin(sent)].reset_index(drop=True)


def weekly_digest(con: metrics.Connection, week: IsoWeek, *, config: Config, top: int,
                  sent: set[str]) -> Digest:
    """The week's total change, its `top` movers, failing GA checks and unsent alerts."""
    rep = config.reports
    head = metrics.headline(con, week, engineer_cost_per_year=rep.engineer_cost_per_year,
                            min_pct=rep.notable_change_pct)
    changes = metrics.team_cost_changes(
        con, week, engineer_cost_per_year=rep.engineer_cost_per_year,
        min_pct=rep.notable_change_pct)
    card = scorecard(con, week)
    return Digest(week, head.total, metrics.top_movers(changes, top),
                  card[card["status"] == "fail"].reset_index(drop=True) if not card.empty
                  else failing(card), new_alerts(con, week, sent))


def _mrkdwn(value: object) -> str:
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:3000]}}


def slack_payload(digest: Digest, *, currency: str, link: str | None,
                  max_items: int) -> dict[str, Any]:
    """The webhook body: a one-line `text` and header, movers, failing checks, alerts, link."""
    total = digest.total
    headline = (f"fleetscope {digest.week.label}: total cost {money(total.current, currency)} "
                f"({fmt(total.delta, 'money_signed:' + currency)} vs last week)")
    blocks: list[dict[str, Any]] = [
        {"type": "header", "text": {"type": "plain_text", "text": headline[:150]}}]
    movers = [f"• {_mrkdwn(r['team'])}: {fmt(r['change'], 'money_signed:' + currency)} "
              f"(now {money(r['cost'], currency)})" for r in digest.movers.to_dict("records")]
    blocks.append(_section("*Top movers*\n" + ("\n".join(movers) or "No team's cost moved.")))
    checks = [f"• {_mrkdwn(r['cluster'])} {_mrkdwn(r['check_name'])}: {_mrkdwn(r['detail'])}"
              for r in digest.failing_checks.head(max_items).to_dict("records")]
    more = len(digest.failing_checks) - len(checks)
    blocks.append(_section(f"*Failing GA checks ({len(digest.failing_checks)})*\n"
                           + ("\n".join(checks) or "None.")
                           + (f"\n…and {more} more" if more > 0 else "")))
    alerts = [f"• [{_mrkdwn(r['severity'])}] {_mrkdwn(r['title'])}: {_mrkdwn(r['detail'])}"
              for r in digest.alerts.head(max_items).to_dict("records")]
    if alerts:
        blocks.append(_section(f"*New alerts ({len(digest.alerts)})*\n" + "\n".join(alerts)))
    if link:
        blocks.append(_section(f"<{link}|Open the report>"))
    return {"text": headline, "blocks": blocks}
