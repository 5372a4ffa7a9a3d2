"""Alerts reach people: a real SMTP server (aiosmtpd, on loopback) receives them."""

from __future__ import annotations

from dagster_project.lib.alerts import AlertSettings, run_alert, send


def test_a_run_alert_goes_to_the_stewards_and_the_platform_team(smtp_server, tmp_path):
    port, inbox = smtp_server
    report = tmp_path / "rows-to-fix.xlsx"
    report.write_bytes(b"PK fake workbook")
    settings = AlertSettings(
        smtp_host="127.0.0.1",
        smtp_port=port,
        sender="platform@city.test",
        platform_team=("data-team@city.test",),
    )
    alert = run_alert(
        "run-1",
        {"building_permits": "blocked"},
        [
            "building_permits   blocked   privacy_gate: holds personal data (CA_SIN)",
            "service_requests   unchanged 10000 rows, as published",
        ],
        ["permits-data@city.test"],
        settings,
        [report],
    )
    assert send(alert, settings) == ["e-mail to data-team@city.test, permits-data@city.test"]
    ((recipients, message),) = inbox.messages
    assert sorted(recipients) == ["data-team@city.test", "permits-data@city.test"]
    assert "1 dataset(s) not updated (building_permits)" in message["Subject"]
    parts = list(message.walk())
    text = next(p for p in parts if p.get_content_type() == "text/plain").get_payload(decode=True)
    assert b"privacy_gate: holds personal data (CA_SIN)" in text
    assert [p.get_filename() for p in parts if p.get_filename()] == ["rows-to-fix.xlsx"]


def test_nothing_configured_sends_nothing():
    alert = run_alert("run-2", {"x": "not run"}, ["x  not run"], ["a@b.test"], AlertSettings(), [])
    assert send(alert, AlertSettings()) == []
