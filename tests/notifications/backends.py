"""Mail servers that fail, as email backends (settings.EMAIL_BACKEND = "tests.notifications…")."""

import smtplib
from collections.abc import Sequence

from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend

ROOT = "tests.notifications.backends"
DOWN = f"{ROOT}.ServerDown"
DISCONNECTING = f"{ROOT}.ServerDisconnecting"
REFUSING_ADDRESS = f"{ROOT}.AddressRefused"


class ServerDown(BaseEmailBackend):
    """Nothing listens on the SMTP port."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise ConnectionRefusedError(111, "Connection refused")


class ServerDisconnecting(BaseEmailBackend):
    """The server hangs up mid-conversation."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")


class AddressRefused(BaseEmailBackend):
    """The server answers 550 for every recipient: a permanent refusal of the address."""

    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        refused = {to: (550, b"5.1.1 no such mailbox") for m in email_messages for to in m.to}
        raise smtplib.SMTPRecipientsRefused(refused)
