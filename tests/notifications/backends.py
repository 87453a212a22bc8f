"""Email backends that fail on purpose."""

from smtplib import SMTPServerDisconnected

from django.core.mail.backends.locmem import EmailBackend


class FlakyEmailBackend(EmailBackend):
    """Refuses the next `failures` messages as a mail server going away would, then delivers."""

    failures = 0

    def send_messages(self, messages):
        if FlakyEmailBackend.failures > 0:
            FlakyEmailBackend.failures -= 1
            raise SMTPServerDisconnected("Connection unexpectedly closed")
        return super().send_messages(messages)


class HangOnceSMSBackend:
    """The first message hangs (a worker stuck mid-delivery, to be killed); later ones are appended
    to SMS_FILE_PATH like the file backend. The marker file HANG_MARKER says the hang began."""

    def send(self, *, to: str, text: str) -> None:
        import os
        import time
        from pathlib import Path

        from notifications.channels import FileSMSBackend

        marker = Path(os.environ["HANG_MARKER"])
        if not marker.exists():
            marker.write_text(str(os.getpid()))
            time.sleep(300)
        FileSMSBackend().send(to=to, text=text)
