"""Posting the chat summary to a Slack-compatible incoming webhook (plain HTTPS, JSON)."""

from __future__ import annotations

import json
import os
import urllib.error
import urllib.request
from typing import Any

from fleetscope.config import ChatConfig
from fleetscope.errors import ConfigError, FleetscopeError


class WebhookError(FleetscopeError):
    """The webhook answered with an error status or could not be reached."""


def webhook_url(config: ChatConfig) -> str:
    """The URL from the variable `webhook_url_env` names (the URL is the credential)."""
    assert config.webhook_url_env is not None
    value = os.environ.get(config.webhook_url_env)
    if not value:
        raise ConfigError(f"chat.webhook_url_env: environment variable {config.webhook_url_env} "
                          "is not set")
    return value


def post(config: ChatConfig, payload: dict[str, Any]) -> None:
    """One POST; a non-2xx answer or a network error raises WebhookError, whose message never
    holds the URL (it carries the secret token)."""
    request = urllib.request.Request(
        webhook_url(config), data=json.dumps(payload).encode("utf-8"), method="POST",
        headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=config.timeout_seconds) as response:
            response.read()
    except urllib.error.HTTPError as exc:
        raise WebhookError(f"webhook answered HTTP {exc.code}") from None
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise WebhookError(f"webhook unreachable: {type(reason).__name__}") from None
