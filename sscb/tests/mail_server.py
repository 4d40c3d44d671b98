"""Mail servers that fail, for tests of what the product does when an email cannot be sent: the
only stand-ins these tests use. Point ``settings.EMAIL_BACKEND`` at one of them."""

import smtplib

from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend

DOWN = "sscb.tests.mail_server.Down"
REFUSES = "sscb.tests.mail_server.RefusesSomeAddresses"
# Mail to an address at this domain is refused; the rest is delivered to ``mail.outbox``.
REFUSED_DOMAIN = "refused.example"


class Down(BaseEmailBackend):
    """A mail relay that cannot be reached (SMTP pointed at a closed port)."""

    def open(self):
        raise ConnectionRefusedError(111, "Connection refused")

    def send_messages(self, email_messages):
        self.open()


class RefusesSomeAddresses(LocmemBackend):
    """A mail server that refuses any address at ``REFUSED_DOMAIN`` and delivers the rest."""

    def send_messages(self, messages):
        for message in messages:
            refused = [to for to in message.recipients() if to.endswith(f"@{REFUSED_DOMAIN}")]
            if refused:
                raise smtplib.SMTPRecipientsRefused(
                    dict.fromkeys(refused, (550, b"5.1.1 No such mailbox"))
                )
        return super().send_messages(messages)
