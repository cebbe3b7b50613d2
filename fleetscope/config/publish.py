"""Configuration of delivery: publishing the site, the leadership and team mail, the chat summary.

Secrets never live in the file: the SMTP password and the webhook URL (a Slack incoming webhook
URL is itself the credential) are read from environment variables named here.
"""

from __future__ import annotations

from dataclasses import dataclass

from fleetscope.config.fields import doc_field as _doc
from fleetscope.errors import ConfigError


@dataclass(frozen=True)
class PublishConfig:
    to: str | None = _doc(
        "Where `fleetscope run` publishes the rendered reports after the quality gate passes: a "
        "folder, or an fsspec URL (`s3://bucket/reports`, `gs://...`, `az://...`; the matching "
        "fsspec backend, e.g. s3fs, must be installed). Unset: no publish step.", None)
    site_url: str | None = _doc(
        "The address readers open the published site at (`https://reports.example.com/`); mail "
        "and chat links start with it. Unset: `to` itself (a folder as a `file://` URL).", None)
    retries: int = _doc(
        "Retries of a failed upload, mail or chat post before the step is marked failed (the run "
        "still exits 0 once the reports are rendered).", 3)
    retry_backoff_seconds: float = _doc(
        "First retry delay, doubled per retry (1, 2, 4 s with the defaults).", 1.0)


@dataclass(frozen=True)
class EmailTeam:
    team: str = _doc("Team name as in the warehouse (`team` of the cost marts).")
    to: list[str] = _doc("Addresses that receive this team's weekly page.", [])


@dataclass(frozen=True)
class EmailConfig:
    host: str | None = _doc("SMTP server. Unset: no mail is sent.", None)
    port: int = _doc("SMTP port (587: submission with STARTTLS).", 587)
    starttls: bool = _doc("Upgrade the connection with STARTTLS before logging in.", True)
    user: str | None = _doc("SMTP login. Unset: no login.", None)
    password_env: str | None = _doc(
        "Environment variable holding the SMTP password (never logged or stored).", None)
    sender: str = _doc("`From` address.", "fleetscope@localhost")
    to: list[str] = _doc("Leadership: who receives the weekly headline mail.", [])
    subject: str = _doc("Subject; `{week}` becomes the ISO week (`2026-W47`).",
                        "fleetscope weekly report {week}")
    timeout_seconds: float = _doc("Timeout of one SMTP connection.", 30.0)
    chart_image: bool = _doc(
        "Attach the weekly cost chart as a PNG (plotly image export: the `mail-images` extra, "
        "kaleido, and a Chrome or Chromium on the machine); without them, or false, the mail "
        "has the table alone.", True)
    teams: list[EmailTeam] = _doc(
        "Opt-in team mail: `[[email.teams]] team = \"payments\", to = [\"pay@example.com\"]`.",
        [])


@dataclass(frozen=True)
class ChatConfig:
    webhook_url_env: str | None = _doc(
        "Environment variable holding a Slack-compatible incoming-webhook URL (JSON `text` and "
        "`blocks` POSTed over HTTPS). Unset: no chat summary.", None)
    top_movers: int = _doc("Teams listed as top movers (largest week-over-week cost change).", 5)
    max_items: int = _doc("Most failing GA checks and new alerts listed each.", 10)
    timeout_seconds: float = _doc("Timeout of one webhook POST.", 10.0)


def check_delivery(publish: PublishConfig, email: EmailConfig, source: str) -> None:
    """Retries are not negative; mail has somewhere to go to when a host is set."""
    if publish.retries < 0:
        raise ConfigError(f"{source}: publish.retries: expected 0 or more, got {publish.retries}")
    if publish.retry_backoff_seconds < 0:
        raise ConfigError(f"{source}: publish.retry_backoff_seconds: expected 0 or more, got "
                          f"{publish.retry_backoff_seconds}")
    for i, team in enumerate(email.teams):
        if not team.to:
            raise ConfigError(f"{source}: email.teams[{i}].to: team {team.team!r} has no "
                              "address")
