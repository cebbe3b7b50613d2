"""Sending the weekly mail over SMTP (STARTTLS, login with a password from the environment)."""

from __future__ import annotations

import os
import smtplib
import ssl
from email.message import EmailMessage

from fleetscope.config import EmailConfig
from fleetscope.errors import ConfigError
from fleetscope.reports.mail import MailPage


def build_message(page: MailPage, *, sender: str, to: list[str]) -> EmailMessage:
    """multipart/alternative: plain text, then HTML with its PNG images related by content id."""
    message = EmailMessage()
    message["Subject"] = page.subject
    message["From"] = sender
    message["To"] = ", ".join(to)
    message.set_content(page.text)
    message.add_alternative(page.html, subtype="html")
    html_part = message.get_body(("html",))
    assert isinstance(html_part, EmailMessage)  # just added above
    for cid, png in page.images.items():
        html_part.add_related(png, maintype="image", subtype="png", cid=f"<{cid}>",
                              filename=f"{cid}.png")
    return message


def smtp_password(config: EmailConfig) -> str | None:
    """The password from the variable `password_env` names; a named but unset variable is a
    configuration error (a login with an empty password would fail less clearly)."""
    if config.password_env is None:
        return None
    value = os.environ.get(config.password_env)
    if value is None:
        raise ConfigError(f"email.password_env: environment variable {config.password_env} "
                          "is not set")
    return value


def send(config: EmailConfig, message: EmailMessage) -> None:
    """One delivery attempt; SMTP errors propagate (the caller retries and logs them)."""
    assert config.host is not None
    password = smtp_password(config)
    with smtplib.SMTP(config.host, config.port, timeout=config.timeout_seconds) as smtp:
        if config.starttls:
            smtp.starttls(context=ssl.create_default_context())
        if config.user is not None:
            smtp.login(config.user, password or "")
        smtp.send_message(message)
