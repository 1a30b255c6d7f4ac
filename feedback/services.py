"""Writes for feedback: give it, answer it, talk about it."""

from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from accounts.models import User
from campaigns.models import Campaign
from events import catalog
from events.services import event_record
from feedback import lifecycle, permissions
from feedback.models import (
    RATED_KINDS,
    FeedbackComment,
    FeedbackItem,
    FeedbackStatusChange,
    Kind,
    Status,
    Tag,
)
from leads import permissions as lead_permissions
from leads.models import Account, Lead, LeadStageChange, ReasonCode, Stage
from smarketing.errors import Conflict, NotAllowed

MAX_TAGS = 10
MAX_TEXT = 5000


def _clean_text(value: str, field: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise ValidationError({field: _("This field is required.")})
    if len(value) > MAX_TEXT:
        raise ValidationError({field: _("Keep it under %(max)d characters.") % {"max": MAX_TEXT}})
    return value


def _tags_for(names: Iterable[str] | None) -> list[Tag]:
    """The Tag rows for free-text names, created when new (one row per slug)."""
    names = [name.strip() for name in names or [] if name and name.strip()]
    if len(names) > MAX_TAGS:
        raise ValidationError({"tags": _("At most %(max)d tags.") % {"max": MAX_TAGS}})
    tags: dict[str, Tag] = {}
    for name in names:
        if len(name) > 50:
            raise ValidationError({"tags": _("A tag has at most 50 characters.")})
        slug = slugify(name)[:50]
        if not slug:
            raise ValidationError({"tags": _("“%(name)s” is not a usable tag.") % {"name": name}})
        if slug not in tags:
            tags[slug], _created = Tag.objects.get_or_create(slug=slug, defaults={"name": name})
    return list(tags.values())


@transaction.atomic
def feedback_create(
    *,
    author: User,
    kind: str,
    text: str,
    rating: int | None = None,
    lead: Lead | None = None,
    campaign: Campaign | None = None,
    account: Account | None = None,
    tags: Iterable[str] | None = (),
    competitor: str = "",
) -> FeedbackItem:
    """Record what a seller heard, about one lead, campaign, account or nothing, as ``new``."""
    if not permissions.can_give_feedback(author):
        raise PermissionDenied(_("Only sales gives feedback; marketing answers it."))
    errors: dict[str, str] = {}
    if kind not in Kind.values:
        errors["kind"] = _("Choose a kind of feedback.")
    text = (text or "").strip()
    if not text:
        errors["text"] = _("Say what you heard.")
    elif len(text) > MAX_TEXT:
        errors["text"] = _("Keep it under %(max)d characters.") % {"max": MAX_TEXT}
    if rating is not None:
        if kind in Kind.values and Kind(kind) not in RATED_KINDS:
            errors["rating"] = _("This kind of feedback takes no rating.")
        elif not 1 <= int(rating) <= 5:
            errors["rating"] = _("The rating goes from 1 to 5.")
    competitor = (competitor or "").strip()
    if kind == Kind.COMPETITOR and not competitor:
        errors["competitor"] = _("Name the competitor the prospect mentioned.")
    if len([subject for subject in (lead, campaign, account) if subject is not None]) > 1:
        errors["__all__"] = _("Feedback is about one thing: a lead, a campaign or an account.")
    if lead is not None and not lead_permissions.can_view_lead(author, lead):
        # Same answer as for a lead that does not exist: don't reveal it.
        errors["lead"] = _("Choose one of your leads.")
    if errors:
        raise ValidationError(errors)

    now = timezone.now()
    item = FeedbackItem(
        author=author,
        kind=kind,
        text=text,
        rating=rating,
        lead=lead,
        campaign=campaign,
        account=account,
        competitor=competitor,
        status=Status.NEW,
        status_changed_at=now,
        created_at=now,
        updated_at=now,
    )
    item.full_clean()
    item.save()
    item.tags.set(_tags_for(tags))
    FeedbackStatusChange.objects.create(
        item=item,
        action=lifecycle.CREATE,
        from_status="",
        to_status=Status.NEW,
        actor=author,
        created_at=now,
    )
    _record_created(item)
    return item


def _record_created(item: FeedbackItem) -> None:
    event_record(
        catalog.FEEDBACK_CREATED,
        obj=item,
        actor=item.author,
        occurred_at=item.created_at,
        data={
            "kind": item.kind,
            "author_id": item.author_id,
            "author_side": item.author.team_kind,
            "lead_id": item.lead_id,
            "campaign_id": item.campaign_id,
            "account_id": item.account_id,
            "rating": item.rating,
            "reason_code": item.reason_code,
            "stage_change_id": item.stage_change_id,
        },
    )


@transaction.atomic
def feedback_transition(
    *, item: FeedbackItem, action: str, actor: User, answer: str = ""
) -> FeedbackStatusChange:
    """Move ``item`` one step (acknowledge, action, decline) and record it.

    The first move out of ``new`` is marketing's response: it sets answered_at and
    answered_by, which the median time to answer counts. Concurrency: the UPDATE only
    matches while the item is still in the status we read, so of two people answering
    at once exactly one wins and the other gets Conflict.
    """
    if not permissions.can_answer(actor):
        raise PermissionDenied(_("Only marketing answers feedback."))
    move = lifecycle.find_move(action, item.status)
    if move is None:
        raise NotAllowed(
            _("You cannot %(action)s feedback that is %(status)s.")
            % {"action": action, "status": item.get_status_display().lower()}
        )
    answer = _clean_text(answer, "answer", required=False)
    if move.needs_answer and not answer:
        raise ValidationError({"answer": _("Tell the seller what marketing does about it.")})

    now = timezone.now()
    changes: dict[str, object] = {
        "status": move.target,
        "status_changed_at": now,
        "updated_at": now,
    }
    if answer:
        changes["answer"] = answer
    if move.source == Status.NEW:
        changes.update(answered_at=now, answered_by=actor)
    moved = FeedbackItem.objects.filter(pk=item.pk, status=move.source).update(**changes)
    if moved != 1:
        raise Conflict(_("Someone else answered this feedback a moment ago. Reload it."))
    change = FeedbackStatusChange.objects.create(
        item=item,
        action=move.action,
        from_status=move.source,
        to_status=move.target,
        actor=actor,
        answer=answer,
        created_at=now,
    )
    item.refresh_from_db()
    # The seller learns what marketing did (feedback.handlers), once this commits.
    event_record(
        catalog.FEEDBACK_ANSWERED,
        obj=item,
        actor=actor,
        occurred_at=now,
        data={
            "status_change_id": change.pk,
            "action": move.action,
            "from_status": move.source,
            "to_status": move.target,
            "answer": answer,
            "author_id": item.author_id,
        },
    )
    return change


def feedback_answer(
    *, item: FeedbackItem, actor: User, status: str, answer: str = ""
) -> FeedbackStatusChange:
    """Answer with the status the item should end up in (the API's shape of a move)."""
    if not permissions.can_answer(actor):
        raise PermissionDenied(_("Only marketing answers feedback."))
    if status not in Status.values or status == Status.NEW:
        raise ValidationError({"status": _("Choose acknowledged, actioned or declined.")})
    move = lifecycle.find_move_to(status, item.status)
    if move is None:
        raise NotAllowed(
            _("Feedback that is %(current)s cannot become %(target)s.")
            % {"current": item.get_status_display().lower(), "target": Status(status).label.lower()}
        )
    return feedback_transition(item=item, action=move.action, actor=actor, answer=answer)


@transaction.atomic
def feedback_comment_add(*, item: FeedbackItem, author: User, text: str) -> FeedbackComment:
    """Add a message to the item's thread: its author and marketing talk there."""
    if not permissions.can_comment(author, item):
        raise PermissionDenied(_("Only the author and marketing comment on feedback."))
    text = _clean_text(text, "text")
    now = timezone.now()
    comment = FeedbackComment.objects.create(item=item, author=author, text=text, created_at=now)
    FeedbackItem.objects.filter(pk=item.pk).update(updated_at=now)
    event_record(
        catalog.FEEDBACK_COMMENTED,
        obj=item,
        actor=author,
        occurred_at=now,
        data={"comment_id": comment.pk, "author_id": item.author_id},
    )
    return comment


def feedback_record_rejection(*, change: LeadStageChange) -> FeedbackItem:
    """Every MQL rejection is lead-quality feedback to marketing.

    Idempotent: the item is unique on the stage change, so a second call returns the
    same item and records nothing.
    """
    if change.actor_id is None:
        # Only people reject (lead_transition takes an actor); feedback needs an author.
        # The backfill below skips rejections without one, too.
        raise ValueError(f"Rejection {change.pk} has no actor to author its feedback.")
    reason = ReasonCode.objects.filter(code=change.reason_code).values_list("label", flat=True)
    reason_label = reason.first() or change.reason_code
    item, created = FeedbackItem.objects.get_or_create(
        stage_change=change,
        defaults={
            "author_id": change.actor_id,
            "kind": Kind.LEAD_QUALITY,
            "lead_id": change.lead_id,
            "text": change.comment.strip() or _("Rejected: %(reason)s") % {"reason": reason_label},
            "reason_code": change.reason_code,
            "status": Status.NEW,
            "status_changed_at": change.created_at,
            "created_at": change.created_at,
            "updated_at": change.created_at,
        },
    )
    if created:
        FeedbackStatusChange.objects.create(
            item=item,
            action=lifecycle.CREATE,
            from_status="",
            to_status=Status.NEW,
            actor_id=change.actor_id,
            created_at=change.created_at,
        )
        _record_created(item)
    return item


def rejection_feedback_sync(*, stage_change_id: int) -> None:
    """Keep rejection feedback in step with a lead's move (a subscriber to lead.stage_changed).

    A rejection becomes lead-quality feedback; marketing recycling or disqualifying a
    rejected lead actions that feedback. Runs inside the move's transaction.
    """
    change = LeadStageChange.objects.select_related("actor").get(pk=stage_change_id)
    if change.to_stage == Stage.REJECTED:
        feedback_record_rejection(change=change)
    elif change.from_stage == Stage.REJECTED:
        feedback_close_rejection(change=change)


def feedback_close_rejection(*, change: LeadStageChange) -> FeedbackStatusChange | None:
    """Marketing dealt with a rejected lead: its open rejection feedback is actioned.

    When marketing recycles or disqualifies a rejected lead, so the unanswered count only
    holds rejections nobody acted on, and the seller hears what became of the lead.
    Nothing open (already answered, or a rejection from before feedback existed):
    nothing to do.
    """
    item = (
        FeedbackItem.objects.filter(
            lead_id=change.lead_id,
            stage_change__action=LeadStageChange.Action.REJECT,
            status__in=lifecycle.OPEN_STATUSES,
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if item is None:
        return None
    outcome = (
        _("Recycled to nurture; marketing will qualify it again later.")
        if change.action == LeadStageChange.Action.RECYCLE
        else _("Disqualified by marketing.")
    )
    answer = f"{outcome} {change.comment}".strip() if change.comment else outcome
    move = lifecycle.find_move_to(Status.ACTIONED, item.status)
    # An open item can always be actioned, and recycling or disqualifying is someone's move.
    if move is None or change.actor is None:
        raise ValueError(f"Cannot action the feedback of stage change {change.pk}.")
    return feedback_transition(item=item, action=move.action, actor=change.actor, answer=answer)


def rejection_feedback_backfill() -> int:
    """Create the feedback items of every rejection that has none yet, set-based.

    For rejections written in bulk (demo data, imports), which bypass lead_transition.
    Two INSERT … SELECT statements, whatever the number of rejections; the unique
    stage change and the NOT EXISTS make a second run insert nothing.
    """
    items = FeedbackItem._meta.db_table
    history = FeedbackStatusChange._meta.db_table
    changes = LeadStageChange._meta.db_table
    reasons = ReasonCode._meta.db_table
    prefix = _("Rejected: ")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {items} (author_id, kind, lead_id, campaign_id, account_id, rating,
                text, competitor, reason_code, stage_change_id, status, answer,
                answered_by_id, answered_at, status_changed_at, created_at, updated_at)
            SELECT c.actor_id, %s, c.lead_id, NULL, NULL, NULL,
                COALESCE(NULLIF(c.comment, ''), %s || COALESCE(r.label, c.reason_code)),
                '', c.reason_code, c.id, %s, '', NULL, NULL,
                c.created_at, c.created_at, c.created_at
            FROM {changes} c
            LEFT JOIN {reasons} r ON r.code = c.reason_code
            WHERE c.action = %s AND c.actor_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM {items} f WHERE f.stage_change_id = c.id)
            """,  # table names come from the models; values are parameters
            [Kind.LEAD_QUALITY, prefix, Status.NEW, LeadStageChange.Action.REJECT],
        )
        created: int = cursor.rowcount
        cursor.execute(
            f"""
            INSERT INTO {history} (item_id, action, from_status, to_status, actor_id,
                answer, created_at)
            SELECT f.id, %s, '', %s, f.author_id, '', f.created_at
            FROM {items} f
            WHERE f.stage_change_id IS NOT NULL
              AND NOT EXISTS (SELECT 1 FROM {history} h WHERE h.item_id = f.id)
            """,
            [lifecycle.CREATE, Status.NEW],
        )
    return max(created, 0)
