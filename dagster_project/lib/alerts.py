"""Tell people when a run did not bring every approved dataset up to date.

One message per run: the run's one-line-per-dataset summary, sent to the stewards of the
divisions whose datasets were blocked or not run (``divisions.yml``) and to the platform
team, with the workbooks of rows each department must fix attached. By e-mail over SMTP
and/or as a JSON POST to a webhook (a chat channel, an incident tool), as configured:

``ALERT_SMTP_HOST``, ``ALERT_SMTP_PORT`` (25), ``ALERT_SMTP_USER`` / ``ALERT_SMTP_PASSWORD``
(optional, with STARTTLS when set), ``ALERT_FROM``, ``ALERT_PLATFORM_TEAM`` (addresses,
comma-separated), ``ALERT_WEBHOOK_URL``. Nothing configured: nothing is sent (the
summary is still printed and kept in the run's log).
"""

from __future__ import annotations

import json
import os
import smtplib
import urllib.request
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path

TIMEOUT_S = 30


@dataclass(frozen=True)
class AlertSettings:
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: str | None = field(default=None, repr=False)
    sender: str = "city-data-platform@localhost"
    platform_team: tuple[str, ...] = ()
    webhook_url: str | None = None

    @classmethod
    def from_environment(cls) -> AlertSettings:
        env = os.environ
        return cls(
            smtp_host=env.get("ALERT_SMTP_HOST") or None,
            smtp_port=int(env.get("ALERT_SMTP_PORT") or 25),
            smtp_user=env.get("ALERT_SMTP_USER") or None,
            smtp_password=env.get("ALERT_SMTP_PASSWORD") or None,
            sender=env.get("ALERT_FROM") or cls.sender,
            platform_team=tuple(
                a.strip() for a in (env.get("ALERT_PLATFORM_TEAM") or "").split(",") if a.strip()
            ),
            webhook_url=env.get("ALERT_WEBHOOK_URL") or None,
        )


@dataclass(frozen=True)
class Alert:
    subject: str
    lines: list[str]
    recipients: list[str]
    attachments: list[Path] = field(default_factory=list)

    @property
    def body(self) -> str:
        return "\n".join(self.lines) + "\n"


def send(alert: Alert, settings: AlertSettings) -> list[str]:
    """Send the alert every way configured; return where it went (for the run's log)."""
    sent = []
    if settings.smtp_host and alert.recipients:
        message = EmailMessage()
        message["Subject"], message["From"] = alert.subject, settings.sender
        message["To"] = ", ".join(alert.recipients)
        message.set_content(alert.body)
        for path in alert.attachments:
            message.add_attachment(
                path.read_bytes(),
                maintype="application",
                subtype="vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                filename=path.name,
            )
        with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=TIMEOUT_S) as smtp:
            if settings.smtp_user:
                smtp.starttls()
                smtp.login(settings.smtp_user, settings.smtp_password or "")
            smtp.send_message(message)
        sent.append(f"e-mail to {', '.join(alert.recipients)}")
    if settings.webhook_url:
        request = urllib.request.Request(  # noqa: S310 (a configured https/http URL)
            settings.webhook_url,
            method="POST",
            headers={"Content-Type": "application/json"},
            data=json.dumps({"subject": alert.subject, "text": alert.body}).encode(),
        )
        with urllib.request.urlopen(request, timeout=TIMEOUT_S):  # noqa: S310
            pass
        sent.append("webhook")
    return sent


def run_alert(
    run_id: str,
    problems: dict[str, str],
    lines: list[str],
    stewards: list[str],
    settings: AlertSettings,
    reports: list[Path],
) -> Alert:
    """The alert for a run in which some approved datasets did not publish.

    ``problems``: dataset -> its state (blocked / not run); ``lines``: the whole summary.
    """
    recipients = sorted({*stewards, *settings.platform_team})
    subject = (
        f"City data platform: {len(problems)} dataset(s) not updated "
        f"({', '.join(sorted(problems))})"
    )
    body = [f"Run {run_id} did not bring every approved dataset up to date.", "", *lines, ""]
    if reports:
        body.append("Rows the departments must fix are in the attached workbook(s).")
    return Alert(subject, body, recipients, reports)
