"""The delivery steps of `fleetscope run` once the reports are rendered: publish, mail, chat.

Each step is retried (bounded, with backoff) and logged; a step that still fails is recorded as
`failed` with its reason and the run goes on and exits 0, because the reports themselves are
rendered and last week's site is still being served. Mail and chat are skipped when the publish
failed: their links would point at a site that does not have the week yet.

Alerts sent to chat are remembered in the warehouse `state` table (`chat.alert_sent.<id>`), so
each is sent once, and only after the webhook accepted it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

from fleetscope.config import Config
from fleetscope.ops import notify_chat, notify_mail
from fleetscope.ops.publish import publish_site, site_url
from fleetscope.ops.retry import with_retries
from fleetscope.ops.run import StepResult
from fleetscope.reports.digest import slack_payload, weekly_digest
from fleetscope.reports.mail import MailPage, leadership_mail, team_mail
from fleetscope.reports.site import LEADERSHIP, WeekManifest, week_manifests
from fleetscope.reports.weeks import IsoWeek
from fleetscope.warehouse import Warehouse

SENT_PREFIX = "chat.alert_sent."
Log = Callable[[str], None]


def _attempt(name: str, action: Callable[[], str], log: Log) -> StepResult:
    started = time.perf_counter()
    try:
        message = action()
    except Exception as exc:  # a delivery failure never fails the run
        reason = f"{type(exc).__name__}: {exc}"
        log(f"run: {name}: FAILED: {reason}")
        return StepResult(name, "failed", time.perf_counter() - started, reason)
    log(f"run: {name}: {message}")
    return StepResult(name, "ok", time.perf_counter() - started, message)


def deliver(config: Config, *, warehouse_path: Path, report_dir: Path,
            log: Log) -> list[StepResult]:
    """Publish, then mail and chat, as configured; never raises for a delivery failure."""
    steps: list[StepResult] = []
    retry = {"retries": config.publish.retries,
             "backoff_seconds": config.publish.retry_backoff_seconds, "log": log}
    publish_to = config.publish.to
    if publish_to:
        steps.append(_attempt("publish", lambda: _publish(report_dir, publish_to, retry, log),
                              log))
    wanted = ([f"mail {n}" for n in _mail_names(config)]
              + (["chat"] if config.chat.webhook_url_env else []))
    weeks = week_manifests(report_dir)
    reason = ("the publish failed" if steps and steps[0].status == "failed"
              else "no rendered week" if not weeks else "")
    if reason:
        steps += [StepResult(name, "skipped", 0.0, reason) for name in wanted]
        return steps
    if not wanted:
        return steps
    base = site_url(publish_to, config.publish.site_url)
    try:
        with Warehouse(warehouse_path) as wh:
            steps += _notify(config, wh, weeks[0], base, retry, log)
    except Exception as exc:  # the warehouse busy or the week unreadable: still not fatal
        log(f"run: notify: FAILED: {type(exc).__name__}: {exc}")
        done = {s.name for s in steps}
        steps += [StepResult(name, "failed", 0.0, f"{type(exc).__name__}: {exc}")
                  for name in wanted if name not in done]
    return steps


def _publish(report_dir: Path, to: str, retry: dict, log: Log) -> str:
    result = with_retries(lambda: publish_site(report_dir, to), what="publish", **retry)
    return f"{len(result.uploaded)} file(s) uploaded, {result.unchanged} unchanged, to {to}"


def _mail_names(config: Config) -> list[str]:
    if not config.email.host:
        return []
    return (["leadership"] if config.email.to else []) + [
        f"team {t.team}" for t in config.email.teams]


def _notify(config: Config, wh: Warehouse, manifest: WeekManifest, base: str | None,
            retry: dict, log: Log) -> list[StepResult]:
    week = IsoWeek.parse(manifest.week)
    email = config.email
    subject = email.subject.replace("{week}", week.label)
    steps: list[StepResult] = []

    def mail(build: Callable[[], MailPage], to: list[str]) -> Callable[[], str]:
        def action() -> str:
            message = notify_mail.build_message(build(), sender=email.sender, to=to)
            with_retries(lambda: notify_mail.send(email, message), what="mail", **retry)
            return f"sent to {len(to)} recipient(s)"
        return action

    if email.host and email.to:
        link = base + f"{week.label}/{LEADERSHIP}" if base and manifest.leadership else base
        steps.append(_attempt("mail leadership", mail(lambda: leadership_mail(
            wh.con, week, config=config, link=link, subject=subject, chart=email.chart_image),
            email.to), log))
    for entry in email.teams if email.host else []:
        stem = manifest.teams.get(entry.team)
        link = base + f"{week.label}/teams/{stem}.html" if base and stem else base
        build = partial(team_mail, wh.con, entry.team, week, config=config, link=link,
                        subject=f"{entry.team}: {subject}")
        steps.append(_attempt(f"mail team {entry.team}", mail(build, entry.to), log))
    if config.chat.webhook_url_env:
        link = base + f"{week.label}/{LEADERSHIP}" if base and manifest.leadership else base
        steps.append(_attempt("chat", lambda: _chat(config, wh, week, link, retry), log))
    return steps


def _chat(config: Config, wh: Warehouse, week: IsoWeek, link: str | None, retry: dict) -> str:
    chat = config.chat
    sent = {row[0][len(SENT_PREFIX):] for row in wh.con.execute(
        "select state_key from state where starts_with(state_key, ?)", [SENT_PREFIX]).fetchall()}
    digest = weekly_digest(wh.con, week, config=config, top=chat.top_movers, sent=sent)
    payload = slack_payload(digest, currency=config.pricing.currency, link=link,
                            max_items=chat.max_items)
    with_retries(lambda: notify_chat.post(chat, payload), what="chat", **retry)
    shown = list(digest.alerts["alert_id"].head(chat.max_items))
    for alert_id in shown:  # remembered only once the webhook took them
        wh.set_state(SENT_PREFIX + str(alert_id), str(week.label))
    return (f"posted: {len(digest.movers)} mover(s), {len(digest.failing_checks)} failing "
            f"check(s), {len(shown)} new alert(s)")
