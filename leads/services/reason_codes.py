"""Writes for the reason codes: the managed list of why leads are rejected, recycled, lost."""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from leads import permissions
from leads.models import ReasonCode


@transaction.atomic
def reason_code_save(
    *,
    actor: User,
    reason_code: ReasonCode | None = None,
    code: str = "",
    label: str,
    is_active: bool = True,
    position: int | None = None,
) -> ReasonCode:
    """Add a reason code, or rename / (de)activate / reorder an existing one (managers).

    The code itself never changes once created: history rows store it as text, so a
    renamed code must keep pointing at the same rows. Deactivating hides it from new
    moves and keeps its label for the history.
    """
    if not permissions.can_manage_reason_codes(actor):
        raise PermissionDenied(_("Only managers can change the reason codes."))
    if reason_code is None:
        if position is None:
            last = ReasonCode.objects.order_by("-position").values_list("position", flat=True)
            position = (last.first() or 0) + 1
        reason_code = ReasonCode(code=code.strip().lower())
    reason_code.label = label.strip()
    reason_code.is_active = is_active
    if position is not None:
        reason_code.position = position
    reason_code.full_clean()
    reason_code.save()
    return reason_code
