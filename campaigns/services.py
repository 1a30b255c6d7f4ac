"""Writes for campaigns: plan, status, spend, checklist, review log and touches."""

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Any, TypedDict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from campaigns import lifecycle, permissions
from campaigns.models import (
    Campaign,
    CampaignStatusChange,
    CampaignTouch,
    CampaignTouchKind,
    ChecklistItem,
    ReviewNote,
    SpendEntry,
)
from events import catalog
from events.services import event_record, events_record_many
from leads.models import Account, Lead
from leads.services import lead_create
from smarketing.errors import Conflict, NotAllowed


class TouchItemsInvalid(ValidationError):
    """Some items of a bulk touch request are invalid; ``item_errors`` maps index → errors."""

    def __init__(self, item_errors: dict[int, dict[str, list[str]]]):
        super().__init__(_("Some touches are invalid; nothing was saved."))
        self.item_errors = item_errors


PLAN_FIELDS = (
    "name",
    "type",
    "channel",
    "start_date",
    "end_date",
    "marketing_owner",
    "sales_coowner",
    "objective_mqls",
    "objective_sqls",
    "objective_pipeline",
    "objective_revenue",
    "offer",
    "sales_follow_up",
    "description",
)
BUDGET_FIELDS = ("budget",)
EDITABLE_FIELDS = (*PLAN_FIELDS, *BUDGET_FIELDS)


def _check_people(campaign: Campaign) -> None:
    errors = {}
    owner = campaign.marketing_owner if campaign.marketing_owner_id else None
    if owner is not None and not (owner.is_marketing or permissions.is_admin(owner)):
        errors["marketing_owner"] = [_("The marketing owner must be in marketing.")]
    coowner = campaign.sales_coowner if campaign.sales_coowner_id else None
    if coowner is not None and not coowner.is_sales:
        errors["sales_coowner"] = [_("The sales co-owner must be in sales.")]
    if errors:
        raise ValidationError(errors)


def _validate(campaign: Campaign) -> None:
    """Model validation (including the check constraints) with messages on the fields."""
    try:
        campaign.full_clean(exclude=["target_accounts"])
    except ValidationError as error:
        messages = dict(error.message_dict)
        general = messages.pop("__all__", [])
        for message in general:
            if "end date" in message:
                messages.setdefault("end_date", []).append(message)
            elif "budget" in message:
                messages.setdefault("budget", []).append(message)
            else:
                messages.setdefault("__all__", []).append(message)
        raise ValidationError(messages) from error
    if campaign.budget is not None and campaign.budget < 0:
        raise ValidationError({"budget": [_("The budget cannot be negative.")]})
    _check_people(campaign)


@transaction.atomic
def campaign_create(
    *, actor: User, target_accounts: Iterable[Account | int] = (), **fields: Any
) -> Campaign:
    """Plan a new campaign (status planned). Marketing creates campaigns."""
    if not permissions.can_edit_campaign(actor):
        raise PermissionDenied(_("Only marketing can create campaigns."))
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be set here.") for field in unknown})
    fields.setdefault("marketing_owner", actor)
    now = timezone.now()
    campaign = Campaign(**fields, created_at=now, updated_at=now)
    _validate(campaign)
    campaign.save()
    if target_accounts:
        campaign.target_accounts.set(target_accounts)
    event_record(
        catalog.CAMPAIGN_CREATED,
        obj=campaign,
        actor=actor,
        occurred_at=now,
        data={**_plan_data(campaign), "target_account_ids": _target_ids(campaign)},
    )
    return campaign


def _plan_data(campaign: Campaign) -> dict[str, Any]:
    """The campaign's plan as its events report it: every editable field, people by id."""
    return {
        name: getattr(
            campaign, f"{name}_id" if name in ("marketing_owner", "sales_coowner") else name
        )
        for name in EDITABLE_FIELDS
    } | {"status": campaign.status}


def _target_ids(campaign: Campaign) -> list[int]:
    return sorted(campaign.target_accounts.values_list("pk", flat=True))


@transaction.atomic
def campaign_update(
    *,
    campaign: Campaign,
    actor: User,
    target_accounts: Iterable[Account | int] | None = None,
    **changes: Any,
) -> Campaign:
    """Change a campaign's plan; only marketing, and only marketing touches the budget."""
    if not permissions.can_edit_campaign(actor, campaign):
        raise PermissionDenied(_("Only marketing can edit campaigns."))
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({field: _("This field cannot be changed here.") for field in unknown})
    if set(changes) & set(BUDGET_FIELDS) and not permissions.can_edit_budget(actor, campaign):
        raise PermissionDenied(_("Only marketing can edit budgets."))
    before = _plan_data(campaign) | {"target_account_ids": _target_ids(campaign)}
    for field, value in changes.items():
        setattr(campaign, field, value)
    campaign.updated_at = timezone.now()
    _validate(campaign)
    campaign.save()
    if target_accounts is not None:
        campaign.target_accounts.set(target_accounts)
    after = _plan_data(campaign) | {"target_account_ids": _target_ids(campaign)}
    changed = {name: [before[name], after[name]] for name in after if before[name] != after[name]}
    if changed:
        event_record(
            catalog.CAMPAIGN_UPDATED,
            obj=campaign,
            actor=actor,
            occurred_at=campaign.updated_at,
            data={"changes": changed},
        )
    return campaign


@transaction.atomic
def campaign_delete(*, campaign: Campaign, actor: User) -> None:
    """Delete a campaign planned by mistake. One with touches or spend is cancelled instead."""
    if not permissions.can_edit_campaign(actor, campaign):
        raise PermissionDenied(_("Only marketing can delete campaigns."))
    if campaign.touches.exists() or campaign.spend_entries.exists():
        raise NotAllowed(
            _("This campaign has touches or spend: cancel it instead, so its history stays.")
        )
    event_record(catalog.CAMPAIGN_DELETED, obj=campaign, actor=actor, data={"name": campaign.name})
    campaign.delete()


@transaction.atomic
def campaign_move(
    *, campaign: Campaign, actor: User, action: str, comment: str = ""
) -> CampaignStatusChange:
    """Move the status (start, complete, cancel) and record the change.

    Compare-and-set on the status: of two people moving the same campaign at once,
    the second gets a Conflict instead of overwriting the first.
    """
    if not permissions.can_edit_campaign(actor, campaign):
        raise PermissionDenied(_("Only marketing can change a campaign's status."))
    target = lifecycle.target_of(campaign.status, action)
    if target is None:
        raise NotAllowed(
            _("A %(status)s campaign cannot be moved with “%(action)s”.")
            % {"status": campaign.get_status_display().lower(), "action": action}
        )
    now = timezone.now()
    moved = Campaign.objects.filter(pk=campaign.pk, status=campaign.status).update(
        status=target, updated_at=now
    )
    if not moved:
        raise Conflict(_("Someone changed this campaign's status first. Reload and try again."))
    change = CampaignStatusChange.objects.create(
        campaign=campaign,
        from_status=campaign.status,
        to_status=target,
        actor=actor,
        comment=comment,
        created_at=now,
    )
    event_record(
        catalog.CAMPAIGN_UPDATED,
        obj=campaign,
        actor=actor,
        occurred_at=now,
        data={"changes": {"status": [campaign.status, target]}, "comment": comment},
    )
    campaign.status = target
    campaign.updated_at = now
    return change


@transaction.atomic
def spend_add(
    *, campaign: Campaign, actor: User, spent_on: date, amount: Decimal, note: str = ""
) -> SpendEntry:
    """Record money actually spent. Marketing only."""
    if not permissions.can_edit_budget(actor, campaign):
        raise PermissionDenied(_("Only marketing can record spend."))
    entry = SpendEntry(
        campaign=campaign, spent_on=spent_on, amount=amount, note=note, created_by=actor
    )
    if amount is not None and amount < 0:
        raise ValidationError({"amount": [_("A spend amount cannot be negative.")]})
    entry.full_clean()
    entry.save()
    event_record(
        catalog.CAMPAIGN_UPDATED,
        obj=campaign,
        actor=actor,
        data={"spend_added": {"amount": entry.amount, "spent_on": entry.spent_on}},
    )
    return entry


@transaction.atomic
def checklist_item_add(
    *,
    campaign: Campaign,
    actor: User,
    title: str,
    owner: User | None = None,
    due_date: date | None = None,
) -> ChecklistItem:
    if not permissions.can_edit_campaign(actor, campaign):
        raise PermissionDenied(_("Only marketing can edit the checklist."))
    item = ChecklistItem(campaign=campaign, title=title, owner=owner, due_date=due_date)
    item.full_clean()
    item.save()
    return item


@transaction.atomic
def checklist_item_set_done(*, item: ChecklistItem, actor: User, is_done: bool) -> ChecklistItem:
    """Tick or untick an item: marketing, or the person it is assigned to."""
    if not (permissions.can_edit_campaign(actor, item.campaign) or item.owner_id == actor.pk):
        raise PermissionDenied(_("Only marketing or the item's owner can tick it."))
    item.is_done = is_done
    item.done_at = timezone.now() if is_done else None
    item.save(update_fields=["is_done", "done_at"])
    return item


@transaction.atomic
def review_add(*, campaign: Campaign, actor: User, held_on: date, text: str) -> ReviewNote:
    """Add a note from a joint review meeting; marketing and sales both write here."""
    if not permissions.can_write_review(actor, campaign):
        raise PermissionDenied(_("Only marketing and sales write in the review log."))
    note = ReviewNote(campaign=campaign, author=actor, held_on=held_on, text=(text or "").strip())
    note.full_clean()
    note.save()
    return note


def _check_touch(kind: str, occurred_at: datetime | None, now: datetime) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if kind not in CampaignTouchKind.values:
        errors["kind"] = [_("“%(kind)s” is not a touch kind.") % {"kind": kind}]
    if occurred_at is None:
        errors["occurred_at"] = [_("When did the touch happen?")]
    elif not isinstance(occurred_at, datetime):
        errors["occurred_at"] = [_("Not a date and time: %(value)s.") % {"value": occurred_at}]
    elif timezone.is_naive(occurred_at):
        errors["occurred_at"] = [_("Give a time zone with the time.")]
    elif occurred_at > now:
        errors["occurred_at"] = [_("A touch cannot be in the future.")]
    return errors


@transaction.atomic
def campaign_touch_record(
    *,
    campaign: Campaign,
    lead: Lead,
    kind: str,
    actor: User | None = None,
    occurred_at: datetime | None = None,
) -> tuple[CampaignTouch, bool]:
    """Record that ``lead`` met ``campaign``; returns (touch, created).

    Idempotent: the same (lead, campaign, kind, occurred_at) returns the existing touch.
    ``actor`` None means the system (an import, a lead created from the campaign).
    """
    if actor is not None and not permissions.can_edit_campaign(actor, campaign):
        raise PermissionDenied(_("Only marketing can record campaign touches."))
    now = timezone.now()
    occurred_at = occurred_at or now
    errors = _check_touch(kind, occurred_at, now)
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            touch, created = CampaignTouch.objects.get_or_create(
                lead=lead,
                campaign=campaign,
                kind=kind,
                occurred_at=occurred_at,
                defaults={"created_at": now},
            )
    except IntegrityError:
        # Two senders of the same touch at once: the other one inserted it.
        touch = CampaignTouch.objects.get(
            lead=lead, campaign=campaign, kind=kind, occurred_at=occurred_at
        )
        return touch, False
    if created:
        event_record(
            catalog.TOUCH_CREATED,
            obj=lead,
            actor=actor,
            occurred_at=now,
            data=_touch_data(touch),
        )
    return touch, created


CAMPAIGN_CHANNEL = "campaign"


def _touch_data(touch: CampaignTouch) -> dict[str, Any]:
    """What ``touch.created`` says of a campaign touch (leads' touch_log says a seller's)."""
    return {
        "channel": CAMPAIGN_CHANNEL,
        "touch_id": touch.pk,
        "kind": touch.kind,
        "campaign_id": touch.campaign_id,
        "touched_at": touch.occurred_at,
    }


@transaction.atomic
def campaign_lead_create(
    *,
    campaign: Campaign,
    actor: User,
    kind: str = CampaignTouchKind.REGISTERED,
    **lead_fields: Any,
) -> Lead:
    """Create a lead that came from ``campaign``: the campaign is its first touch."""
    if not permissions.can_edit_campaign(actor, campaign):
        raise PermissionDenied(_("Only marketing can create leads from a campaign."))
    lead = lead_create(actor=actor, **lead_fields)
    campaign_touch_record(campaign=campaign, lead=lead, kind=kind, occurred_at=lead.created_at)
    return lead


class TouchBatchResult(TypedDict):
    received: int
    created: int
    already_recorded: int


def campaign_touches_record_many(
    *, campaign: Campaign, actor: User | None, items: list[dict[str, Any]]
) -> TouchBatchResult:
    """Record many touches at once, set-based; all or nothing; idempotent.

    Each item has ``lead`` (id) or ``email``, ``kind`` and ``occurred_at`` (aware
    datetime). Leads are resolved with one query, and the rows go in with one
    INSERT … ON CONFLICT DO NOTHING, so a re-sent batch creates nothing new. If any
    item is invalid, nothing is saved and the errors come back by item index:
    ``ValidationError({"items": {index: {field: [messages]}}})``.
    """
    if actor is not None and not permissions.can_edit_campaign(actor, campaign):
        raise PermissionDenied(_("Only marketing can record campaign touches."))
    now = timezone.now()
    ids = {item["lead"] for item in items if item.get("lead") not in (None, "")}
    emails = {
        str(item["email"]).strip().lower()
        for item in items
        if item.get("lead") in (None, "") and item.get("email")
    }
    known_ids: set[int] = set()
    if ids:
        int_ids = {int(i) for i in ids if str(i).isdigit()}
        known_ids = set(Lead.objects.filter(pk__in=int_ids).values_list("pk", flat=True))
    id_by_email: dict[str, int] = {}
    email_list = sorted(emails)
    for start in range(0, len(email_list), 500):
        # Lower(email) is the lead's unique index, so this is an index lookup per chunk.
        found = (
            Lead.objects.annotate(email_lower=Lower("email"))
            .filter(email_lower__in=email_list[start : start + 500])
            .values_list("pk", "email_lower")
        )
        id_by_email.update({email: pk for pk, email in found})
    errors: dict[int, dict[str, list[str]]] = {}
    rows: dict[tuple[int, str, datetime], CampaignTouch] = {}
    for index, item in enumerate(items):
        item_errors = _check_touch(item.get("kind", ""), item.get("occurred_at"), now)
        lead_id = None
        if item.get("lead") not in (None, ""):
            raw = str(item["lead"])
            lead_id = int(raw) if raw.isdigit() else None
            if lead_id not in known_ids:
                item_errors["lead"] = [_("No lead with id %(id)s.") % {"id": raw}]
        elif item.get("email"):
            lead_id = id_by_email.get(str(item["email"]).strip().lower())
            if lead_id is None:
                item_errors["email"] = [
                    _("No lead with the e-mail %(email)s.") % {"email": item["email"]}
                ]
        else:
            item_errors["lead"] = [_("Give the lead's id or e-mail.")]
        if item_errors:
            errors[index] = item_errors
            continue
        # Without an error above, the item named a known lead.
        assert lead_id is not None
        key = (lead_id, item["kind"], item["occurred_at"])
        rows[key] = CampaignTouch(
            lead_id=lead_id,
            campaign=campaign,
            kind=item["kind"],
            occurred_at=item["occurred_at"],
            created_at=now,
        )
    if errors:
        raise TouchItemsInvalid(errors)
    with transaction.atomic():
        created = _touches_insert(list(rows.values()))
        events_record_many(
            catalog.TOUCH_CREATED,
            items=[(touch.lead_id, _touch_data(touch)) for touch in created],
            actor=actor,
            occurred_at=now,
        )
    return {
        "received": len(items),
        "created": len(created),
        "already_recorded": len(items) - len(created),
    }


def _touches_insert(touches: list[CampaignTouch]) -> list[CampaignTouch]:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: the touches that were new, with their ids.

    bulk_create(ignore_conflicts=True) cannot say which rows went in; the touch.created
    events need exactly those.
    """
    table = connection.ops.quote_name(CampaignTouch._meta.db_table)
    inserted: list[CampaignTouch] = []
    for start in range(0, len(touches), 1000):
        batch = touches[start : start + 1000]
        placeholders = ", ".join(["(%s, %s, %s, %s, %s)"] * len(batch))
        params: list[int | str | datetime] = []
        for touch in batch:
            params += [
                touch.lead_id,
                touch.campaign_id,
                touch.kind,
                touch.occurred_at,
                touch.created_at,
            ]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {table} (lead_id, campaign_id, kind, occurred_at, created_at) "
                f"VALUES {placeholders} ON CONFLICT DO NOTHING "
                "RETURNING id, lead_id, campaign_id, kind, occurred_at",
                params,
            )
            for pk, lead_id, campaign_id, kind, occurred_at in cursor.fetchall():
                inserted.append(
                    CampaignTouch(
                        pk=pk,
                        lead_id=lead_id,
                        campaign_id=campaign_id,
                        kind=kind,
                        occurred_at=occurred_at,
                    )
                )
    return inserted
