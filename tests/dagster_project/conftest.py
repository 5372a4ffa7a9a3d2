"""Fixtures of the Dagster project's tests: a real SMTP server for alerts."""

from __future__ import annotations

import email
import socket

import pytest


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller

    class Inbox:
        def __init__(self):
            self.messages = []

        async def handle_DATA(self, server, session, envelope):  # noqa: N802 (aiosmtpd API)
            self.messages.append((envelope.rcpt_tos, email.message_from_bytes(envelope.content)))
            return "250 OK"

    with socket.socket() as probe:  # a free loopback port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield port, inbox
    controller.stop()
