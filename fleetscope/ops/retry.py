"""Bounded retries with exponential backoff for delivery (uploads, SMTP, webhooks)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TypeVar

from fleetscope.errors import ConfigError

T = TypeVar("T")


def with_retries(action: Callable[[], T], *, what: str, retries: int, backoff_seconds: float,
                 log: Callable[[str], None], sleep: Callable[[float], None] = time.sleep) -> T:
    """Call `action` up to `retries + 1` times, waiting `backoff_seconds` x 2^n between tries;
    the last exception is raised. Each failure is logged by its message only: exceptions from
    SMTP or HTTP never carry the password, but a URL can, so callers keep secrets out of it."""
    attempt = 0
    while True:
        try:
            return action()
        except ConfigError:
            raise  # a missing variable or bad setting does not fix itself by waiting
        except Exception as exc:  # retried, then re-raised as is
            if attempt >= retries:
                raise
            delay = backoff_seconds * 2**attempt
            log(f"{what}: attempt {attempt + 1} failed ({type(exc).__name__}: {exc}); "
                f"retrying in {delay:g}s")
            sleep(delay)
            attempt += 1
