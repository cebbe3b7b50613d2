"""A real `fleetscope run` with delivery configured: the site is published equal to the rendered
folder, the chat summary is posted, and an SMTP server answering 554 leaves the run at exit 0
with the failed step and its reason in the run summary and the log."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest
from delivery_servers import smtp_server, webhook_receiver
from test_ops_run import CONFIG
from test_publish import same_tree

pytestmark = pytest.mark.slow

FLEETSCOPE = str(Path(sys.executable).with_name("fleetscope"))
PASSWORD = "pw-run-Kx72-never-logged"


def test_run_publishes_and_a_refusing_smtp_server_does_not_fail_it(tmp_path: Path) -> None:
    from fleetscope.demo.generate import generate

    generate(tmp_path, seed=7, days=7, end=date(2026, 11, 23))
    with smtp_server(refuse=True) as (port, box), webhook_receiver() as (hook, posts):
        (tmp_path / "fleetscope.toml").write_text(CONFIG + f"""
[publish]
to = "published"
site_url = "https://reports.example.com/fleetscope/"
retries = 2
retry_backoff_seconds = 0.0

[email]
host = "127.0.0.1"
port = {port}
starttls = false
user = "fleetscope"
password_env = "FS_RUN_SMTP_PASSWORD"
to = ["cto@example.com"]

[chat]
webhook_url_env = "FS_RUN_WEBHOOK"
""")
        env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
               "FS_RUN_SMTP_PASSWORD": PASSWORD, "FS_RUN_WEBHOOK": hook}
        proc = subprocess.run([FLEETSCOPE, "--config", "fleetscope.toml", "--warehouse",
                               str(tmp_path / "wh.duckdb"), "run"],
                              cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "run succeeded" in proc.stdout
    assert ("  mail leadership: failed: SMTPDataError: (554, b'5.7.1 Transaction failed: "
            "refused by policy')") in proc.stdout
    # retries = 2: three attempts, two logged retries, then the failure
    assert proc.stderr.count("mail: attempt") == 2
    assert "run: mail leadership: FAILED: SMTPDataError" in proc.stderr
    assert box.messages == []
    assert len(posts) == 1 and posts[0]["text"].startswith("fleetscope 2026-W")
    assert posts[0]["blocks"][-1]["text"]["text"].startswith(
        "<https://reports.example.com/fleetscope/2026-W")
    same_tree(tmp_path / "site", tmp_path / "published")
    assert "run: publish: " in proc.stderr and " unchanged, to published" in proc.stderr
    assert PASSWORD not in proc.stdout + proc.stderr
    assert PASSWORD.encode() not in (tmp_path / "wh.duckdb").read_bytes()
