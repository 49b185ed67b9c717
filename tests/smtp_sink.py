"""A real SMTP server on loopback (aiosmtpd) keeping what it receives, for tests and benchmarks."""

from __future__ import annotations

import email
import email.policy
import logging
import socket
import threading
from collections import Counter
from collections.abc import Callable

from aiosmtpd.controller import Controller

# aiosmtpd logs every SMTP command at INFO.
logging.getLogger("mail.log").setLevel(logging.WARNING)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Recorder:
    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.lock = threading.Lock()
        self.refusals: list[tuple[int, str]] = []  # (code, text) replies to give to DATA, in turn
        self.on_rcpt: Callable[[int], None] | None = None
        self.rcpt_count = 0
        self.parse = True
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        with self.lock:
            self.rcpt_count += 1
            count = self.rcpt_count
        if self.on_rcpt:
            self.on_rcpt(count)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            if self.refusals:
                code, text = self.refusals.pop(0)
                return f"{code} {text}"
            self.count += 1
            if self.parse:
                self.messages.append(
                    email.message_from_bytes(envelope.content, policy=email.policy.default)
                )
        return "250 Message accepted for delivery"

    def message_ids(self) -> Counter:
        with self.lock:
            return Counter(message["Message-ID"] for message in self.messages)


class SmtpSink:
    def __init__(self) -> None:
        self.recorder = Recorder()
        self.port = free_port()
        self.controller = Controller(self.recorder, hostname="127.0.0.1", port=self.port)

    @property
    def url(self) -> str:
        return f"smtp://127.0.0.1:{self.port}"

    def __enter__(self) -> SmtpSink:
        self.controller.start()
        return self

    def __exit__(self, *exc) -> None:
        self.controller.stop()
