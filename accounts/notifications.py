"""Tell people things: an in-app notice plus an e-mail, exactly once per dedupe key.

Any area calls ``notify``. The Notification row's unique (recipient, dedupe_key) is
the claim: a retried task or a second worker finds the row there and sends nothing.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction

from accounts.models import Notification, User


@dataclass(frozen=True)
class Notice:
    kind: str
    subject: str
    message: str
    url: str
    dedupe_key: str


def notify(*, recipients: list[User], notice: Notice) -> list[int]:
    """Record the notice for each recipient and e-mail those who did not have it yet.

    Returns the ids of the users newly notified. The row is written first and the mail
    sent after; if sending fails, the row is removed again so a retry can send.
    """
    newly_notified = []
    for recipient in {user.pk: user for user in recipients if user is not None}.values():
        try:
            with transaction.atomic():
                notification = Notification.objects.create(
                    recipient=recipient,
                    kind=notice.kind,
                    message=notice.message[:300],
                    url=notice.url,
                    dedupe_key=notice.dedupe_key,
                )
        except IntegrityError:
            continue  # already notified: the unique constraint is the exactly-once guard
        if recipient.email:
            try:
                send_mail(
                    subject=f"[Smarketing] {notice.subject}",
                    message=f"{notice.message}\n\n{settings.SMARKETING_BASE_URL}{notice.url}",
                    from_email=None,
                    recipient_list=[recipient.email],
                )
            except Exception:
                # Release the claim so the retrying task sends it next time.
                Notification.objects.filter(pk=notification.pk).delete()
                raise
        newly_notified.append(recipient.pk)
    return newly_notified
