"""What the SLA area tells people: a breach, to the side that answers for it."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.notifications import Notice, notify
from accounts.roles import Role
from sla.models import Breach, Side


def breach_recipients(breach: Breach) -> list[User]:
    """Sales breaches: the lead's owner and the sales managers of their team.

    Marketing breaches: the marketing managers of the SLA's marketing team.
    """
    if breach.side == Side.SALES:
        owner = breach.owner
        people = [owner] if owner is not None else []
        team_id = owner.team_id if owner is not None else breach.version.sla.sales_team_id
        people += list(
            # team_id is None for an owner without a team: Django reads an exact None as
            # IS NULL (the stubs refuse None), so the managers without a team are told.
            User.objects.filter(  # type: ignore[misc]
                role=Role.SALES_MANAGER, team_id=team_id, is_active=True
            )
        )
        return people
    return list(
        User.objects.filter(
            role=Role.MARKETING_MANAGER,
            team_id=breach.version.sla.marketing_team_id,
            is_active=True,
        )
    )


def breach_notify(*, breach_id: int) -> bool:
    """Tell the responsible side about one breach; a second delivery sends nothing.

    The conditional UPDATE is the claim; notify()'s (recipient, dedupe key) uniqueness is
    the second guard. If sending fails, the claim is released so the retry sends.
    """
    claimed = Breach.objects.filter(pk=breach_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return False
    breach = Breach.objects.select_related("version__sla", "owner", "lead", "campaign").get(
        pk=breach_id
    )
    if breach.lead_id:
        subject = _("SLA breach: %(kind)s — %(lead)s") % {
            "kind": breach.get_kind_display(),
            "lead": breach.lead,
        }
        url = reverse("leads:detail", args=[breach.lead_id])
    elif breach.campaign_id:
        subject = _("SLA breach: %(kind)s — %(campaign)s") % {
            "kind": breach.get_kind_display(),
            "campaign": breach.campaign,
        }
        url = reverse("campaigns:detail", args=[breach.campaign_id])
    else:
        subject = _("SLA breach: %(kind)s for the period from %(start)s") % {
            "kind": breach.get_kind_display(),
            "start": breach.period_start,
        }
        url = reverse("sla:compliance")
    message = _("%(subject)s. Due %(due)s under %(version)s.") % {
        "subject": subject,
        "due": timezone.localtime(breach.due_at).strftime("%Y-%m-%d %H:%M"),
        "version": breach.version,
    }
    try:
        notify(
            recipients=breach_recipients(breach),
            notice=Notice(
                kind="breach",
                subject=subject,
                message=message,
                url=url,
                dedupe_key=f"sla-breach:{breach.pk}",
            ),
        )
    except Exception:
        Breach.objects.filter(pk=breach_id).update(notified_at=None)
        raise
    return True
