"""Writes for SLAs: agreements and versions, signatures, judging hand-overs, acknowledgements.

Breach detection lives in ``sla.detection``, the reads in ``sla.selectors`` and the terms'
fingerprint in ``sla.terms``. The hand-over is judged here as a subscriber to
``lead.handed_over`` (sla.handlers), inside the hand-over's transaction.
"""

from datetime import date, datetime, time
from typing import Any, cast

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Field, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Team, User
from accounts.roles import TeamKind
from events import catalog
from events.services import event_record
from leads import services as lead_services
from leads.models import Lead
from sla import lifecycle, permissions, selectors
from sla.business_hours import add_business_hours, calendar_for
from sla.models import (
    SLA,
    TERM_FIELDS,
    Breach,
    SignatoryRole,
    Signature,
    SLAClock,
    SLAVersion,
    SLAVersionChange,
    VersionStatus,
)
from sla.terms import REQUIRABLE_LEAD_FIELDS, terms_fingerprint
from smarketing.errors import Conflict, NotAllowed

# ---------------------------------------------------------------- terms and agreements


def _clean_terms(version: SLAVersion) -> None:
    """full_clean plus the rules a model field cannot say."""
    errors: dict[str, list[str]] = {}
    try:
        version.full_clean(exclude=["sla", "number", "created_by", "based_on", "fingerprint"])
    except ValidationError as error:
        errors.update(error.message_dict)
    unknown = set(version.mql_required_fields or []) - set(REQUIRABLE_LEAD_FIELDS)
    if unknown:
        errors.setdefault("mql_required_fields", []).append(
            _("Unknown lead fields: %(fields)s.") % {"fields": ", ".join(sorted(unknown))}
        )
    days = version.working_days or []
    if not days or any(not isinstance(day, int) or not 0 <= day <= 6 for day in days):
        errors.setdefault("working_days", []).append(
            _("Choose at least one working day (Monday = 0 … Sunday = 6).")
        )
    try:
        for day in version.holidays or []:
            date.fromisoformat(day)
    except (TypeError, ValueError):
        errors.setdefault("holidays", []).append(_("Holidays must be dates like 2026-12-25."))
    if version.day_end <= version.day_start and version.day_end != time(0, 0):
        errors.setdefault("day_end", []).append(_("The working day must end after it starts."))
    try:
        calendar_for(version).zone  # noqa: B018 - validates the time zone name
    except Exception:  # zoneinfo raises several kinds for a bad key
        errors.setdefault("time_zone", []).append(_("Unknown time zone."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def sla_create(
    *,
    actor: User,
    name: str,
    marketing_team: Team,
    sales_team: Team,
    segment: str = "",
    region: str = "",
    **terms: Any,
) -> SLAVersion:
    """Create an SLA for a scope with its first draft version; returns the draft."""
    if not permissions.can_manage_slas(actor):
        raise PermissionDenied(_("Only managers can write SLAs."))
    sla = SLA(
        name=name,
        marketing_team=marketing_team,
        sales_team=sales_team,
        segment=segment,
        region=region,
    )
    if marketing_team.kind != TeamKind.MARKETING:
        raise ValidationError({"marketing_team": _("Choose a marketing team.")})
    if sales_team.kind != TeamKind.SALES:
        raise ValidationError({"sales_team": _("Choose a sales team.")})
    sla.full_clean()
    sla.save()
    return _draft_create(actor=actor, sla=sla, based_on=None, terms=terms)


def _draft_create(
    *, actor: User, sla: SLA, based_on: SLAVersion | None, terms: dict[str, Any]
) -> SLAVersion:
    unknown = set(terms) - set(TERM_FIELDS)
    if unknown:
        raise ValidationError({field: _("Not a term of an SLA.") for field in unknown})
    values = {name: getattr(based_on, name) for name in TERM_FIELDS} if based_on else {}
    values.update(terms)
    # Lock the SLA row so two drafts created at once get different numbers.
    SLA.objects.select_for_update().get(pk=sla.pk)
    number = (sla.versions.aggregate(top=Max("number"))["top"] or 0) + 1
    version = SLAVersion(sla=sla, number=number, based_on=based_on, created_by=actor, **values)
    _clean_terms(version)
    version.save()
    SLAVersionChange.objects.create(
        version=version,
        from_status="",
        to_status=VersionStatus.DRAFT,
        actor=actor,
        comment=_("Amends version %(number)s.") % {"number": based_on.number} if based_on else "",
    )
    event_record(
        catalog.SLA_VERSION_DRAFTED,
        obj=version,
        actor=actor,
        data={
            "sla_id": sla.pk,
            "number": version.number,
            "based_on_id": based_on.pk if based_on else None,
        },
    )
    return version


@transaction.atomic
def version_amend(*, version: SLAVersion, actor: User, **changes: Any) -> SLAVersion:
    """Change terms. A draft nobody signed is edited in place; otherwise a new draft is made.

    Signed terms never change: once the first signature lands, the only way to other terms
    is a new version, and signatures do not carry over. Managers change their own side's
    commitments and the shared calendar; returns the version that now holds the changes.
    """
    if not permissions.can_manage_slas(actor):
        raise PermissionDenied(_("Only managers can amend SLAs."))
    changed = {
        name: value for name, value in changes.items() if getattr(version, name, None) != value
    }
    unknown = set(changes) - set(TERM_FIELDS)
    if unknown:
        raise ValidationError({field: _("Not a term of an SLA.") for field in unknown})
    forbidden = set(changed) - permissions.editable_terms_for(actor, version.sla)
    if forbidden:
        raise PermissionDenied(
            _("You may not change the other side's commitments: %(fields)s.")
            % {"fields": ", ".join(sorted(forbidden))}
        )
    if not changed:
        raise ValidationError({"__all__": [_("Nothing changed.")]})
    locked = SLAVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status in lifecycle.EDITABLE and not locked.signatures.exists():
        for name, value in changed.items():
            setattr(locked, name, value)
        _clean_terms(locked)
        locked.save(update_fields=list(changed))
        return locked
    return _draft_create(actor=actor, sla=locked.sla, based_on=locked, terms=changed)


def version_transition(
    *,
    version: SLAVersion,
    to_status: str,
    actor: User | None,
    comment: str = "",
    at: datetime | None = None,
) -> SLAVersion:
    """Move a version along its lifecycle, with compare-and-set and a history row.

    The UPDATE only matches while the version still has the status we read; a racing
    move makes it match nothing and we raise Conflict instead of overwriting.
    """
    if not lifecycle.can_move(version.status, to_status):
        raise NotAllowed(
            _("A version that is %(status)s cannot become %(target)s.")
            % {"status": version.get_status_display(), "target": VersionStatus(to_status).label}
        )
    now = at or timezone.now()
    changes: dict[str, object] = {"status": to_status}
    if to_status == VersionStatus.ACTIVE:
        changes["activated_at"] = now
    elif to_status in (VersionStatus.SUPERSEDED, VersionStatus.EXPIRED):
        changes["ended_at"] = now
    moved = SLAVersion.objects.filter(pk=version.pk, status=version.status).update(**changes)
    if moved != 1:
        raise Conflict(_("Someone else changed this version a moment ago. Reload and try again."))
    SLAVersionChange.objects.create(
        version=version,
        from_status=version.status,
        to_status=to_status,
        actor=actor,
        comment=comment,
        created_at=now,
    )
    from_status = version.status
    version.refresh_from_db()
    ended = to_status in (VersionStatus.SUPERSEDED, VersionStatus.EXPIRED)
    if to_status == VersionStatus.ACTIVE or ended:
        event_record(
            catalog.SLA_VERSION_ACTIVATED
            if to_status == VersionStatus.ACTIVE
            else catalog.SLA_VERSION_ENDED,
            obj=version,
            actor=actor,
            occurred_at=now,
            data={
                "sla_id": version.sla_id,
                "number": version.number,
                "from_status": from_status,
                "to_status": to_status,
                "comment": comment,
            },
        )
    return version


@transaction.atomic
def version_sign(*, version: SLAVersion, actor: User, fingerprint: str) -> Signature:
    """Sign ``version`` as the actor's signatory role, for the terms with ``fingerprint``.

    ``fingerprint`` is what the signer was shown. If the terms changed since (a draft
    edited in the meantime), the fingerprints differ and nothing is signed (Conflict).
    The first signature freezes the terms (awaiting signatures); the last required one
    activates the version and supersedes the scope's previous active version in the same
    transaction. The version row is locked so two last signatures cannot both activate.
    """
    version = SLAVersion.objects.select_for_update().select_related("sla").get(pk=version.pk)
    role = permissions.signatory_role_for(actor, version)
    if role is None:
        raise PermissionDenied(
            _(
                "Only the marketing lead, the sales lead, an executive sponsor or a named "
                "signatory can sign this SLA."
            )
        )
    if version.status not in lifecycle.SIGNABLE:
        raise NotAllowed(
            _("A version that is %(status)s cannot be signed.")
            % {"status": version.get_status_display()}
        )
    current = terms_fingerprint(version)
    if version.fingerprint and version.fingerprint != current:
        # Terms edited behind the service's back (e.g. raw SQL): refuse rather than sign.
        raise Conflict(_("The terms of this version no longer match their fingerprint."))
    if fingerprint != current:
        raise Conflict(
            _("The terms changed since you opened them. Review the new terms and sign again.")
        )
    if version.signatures.filter(signer=actor).exists():
        raise NotAllowed(_("You have already signed this version."))
    if role != SignatoryRole.ADDITIONAL and version.signatures.filter(role=role).exists():
        raise NotAllowed(_("This version already has a signature as %(role)s.") % {"role": role})
    now = timezone.now()
    signature = Signature.objects.create(
        version=version, signer=actor, role=role, fingerprint=current, signed_at=now
    )
    event_record(
        catalog.SLA_VERSION_SIGNED,
        obj=version,
        actor=actor,
        occurred_at=now,
        data={
            "sla_id": version.sla_id,
            "number": version.number,
            "role": role,
            "fingerprint": current,
        },
    )
    if version.status == VersionStatus.DRAFT:
        SLAVersion.objects.filter(pk=version.pk).update(fingerprint=current)
        version = version_transition(
            version=version,
            to_status=VersionStatus.AWAITING_SIGNATURES,
            actor=actor,
            comment=_("First signature; the terms are frozen."),
        )
    if not selectors.missing_signatories(version):
        previous = SLAVersion.objects.select_for_update().filter(
            sla=version.sla, status=VersionStatus.ACTIVE
        )
        for old in previous:
            version_transition(
                version=old,
                to_status=VersionStatus.SUPERSEDED,
                actor=actor,
                comment=_("Superseded by version %(number)s.") % {"number": version.number},
                at=now,
            )
        version_transition(
            version=version,
            to_status=VersionStatus.ACTIVE,
            actor=actor,
            comment=_("All required signatures are in."),
            at=now,
        )
    return signature


@transaction.atomic
def version_abandon(*, version: SLAVersion, actor: User) -> SLAVersion:
    """Withdraw a draft or a version awaiting signatures (it never becomes active)."""
    if not permissions.can_manage_slas(actor):
        raise PermissionDenied(_("Only managers can withdraw SLA drafts."))
    if version.status not in lifecycle.SIGNABLE:
        raise NotAllowed(_("Only drafts and versions awaiting signatures can be withdrawn."))
    return version_transition(
        version=version, to_status=VersionStatus.SUPERSEDED, actor=actor, comment=_("Withdrawn.")
    )


# ---------------------------------------------------------------- the hand-over hooks


def mql_definition_check(*, lead: Lead, actor: User, override_reason: str = "") -> bool:
    """Refuse (ValidationError) to qualify ``lead`` to MQL if it misses the active MQL definition.

    Returns True when a manager's override was used. Until an SLA is active, every lead
    meets the definition.
    """
    version = selectors.version_active_for(segment=lead.segment, region=lead.region)
    if version is None:
        return False
    errors: dict[str, list[str]] = {}
    if lead.score < version.mql_min_score:
        errors["score"] = [
            _(
                "The SLA's MQL definition needs a score of at least %(minimum)s; "
                "this lead has %(score)s."
            )
            % {"minimum": version.mql_min_score, "score": lead.score}
        ]
    for name in version.mql_required_fields:
        value = getattr(lead, f"{name}_id" if name == "account" else name, None)
        if value in (None, ""):
            # The requirable fields are columns (get_field() may return reverse relations).
            label = cast("Field[Any, Any]", Lead._meta.get_field(name)).verbose_name
            errors[name] = [_("The SLA's MQL definition requires %(field)s.") % {"field": label}]
    if not errors:
        return False
    if override_reason.strip() and (actor.is_manager or permissions.is_admin(actor)):
        return True
    if override_reason.strip():
        errors.setdefault("override_reason", []).append(
            _("Only a manager can qualify a lead that misses the MQL definition.")
        )
    raise ValidationError(errors)


def sla_clock_start(*, lead: Lead, handed_over_at: datetime) -> SLAClock | None:
    """Record which SLA version judges this hand-over, and its decision due time.

    Called inside the hand-over's transaction; the lead's ``decision_due_at`` shows the
    deadline to its owner. The first-touch due time counts from acceptance, so the
    detector fills it in when it sees the decision.
    """
    version = selectors.version_active_for(
        segment=lead.segment,
        region=lead.region,
        sales_team_id=lead.owner.team_id if lead.owner is not None else None,
    )
    if version is None:
        return None
    clock, _created = SLAClock.objects.get_or_create(
        lead=lead,
        handed_over_at=handed_over_at,
        defaults={
            "version": version,
            "owner_id": lead.owner_id,
            "decision_due_at": add_business_hours(
                handed_over_at, version.decision_hours, calendar_for(version)
            ),
        },
    )
    lead_services.lead_decision_due_set(
        lead_id=lead.pk, handed_over_at=handed_over_at, due_at=clock.decision_due_at
    )
    return clock


def handover_judge(
    *, lead_id: int, stage_change_id: int, actor: User | None, override_reason: str = ""
) -> SLAClock | None:
    """Judge a hand-over by the active SLA: its MQL definition, then its clock.

    Runs inside the hand-over's transaction (a subscriber to ``lead.handed_over``): a
    lead that misses the MQL definition raises ValidationError and the whole hand-over
    rolls back, unless a manager gave an override reason, which the history records.
    """
    lead = Lead.objects.select_related("owner").get(pk=lead_id)
    if actor is not None and mql_definition_check(
        lead=lead, actor=actor, override_reason=override_reason
    ):
        lead_services.handover_override_record(
            stage_change_id=stage_change_id, override_reason=override_reason.strip()
        )
    if lead.handed_over_at is None:
        # lead.handed_over is recorded with the hand-over time set (leads.services.moves).
        raise ValueError(f"Lead {lead.pk} has no hand-over time to start its SLA clock.")
    return sla_clock_start(lead=lead, handed_over_at=lead.handed_over_at)


# ---------------------------------------------------------------- breaches


@transaction.atomic
def breach_acknowledge(*, breach: Breach, actor: User, comment: str) -> Breach:
    """Acknowledge a breach with a comment; only once (compare-and-set)."""
    if not permissions.can_acknowledge(actor, breach):
        raise PermissionDenied(_("Only the side that answers for this breach can acknowledge it."))
    comment = (comment or "").strip()
    if not comment:
        raise ValidationError({"comment": _("Say what happened or what will change.")})
    now = timezone.now()
    updated = Breach.objects.filter(pk=breach.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=actor, acknowledgement=comment
    )
    if updated != 1:
        raise Conflict(_("This breach has already been acknowledged."))
    breach.refresh_from_db()
    event_record(
        catalog.BREACH_ACKNOWLEDGED,
        obj=breach,
        actor=actor,
        occurred_at=now,
        data={
            "kind": breach.kind,
            "side": breach.side,
            "lead_id": breach.lead_id,
            "comment": comment,
        },
    )
    return breach
