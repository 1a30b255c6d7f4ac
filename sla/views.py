"""Pages of the SLA area: thin, over sla.selectors and sla.services.

Every page needs a login; what a user may do (amend, sign, acknowledge) is decided by
sla.permissions and enforced again by the services.
"""

from datetime import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.models import User
from sla import charts, lifecycle, permissions, selectors, services
from sla.forms import (
    TERM_LABELS,
    AcknowledgeForm,
    BreachFilterForm,
    SLACreateForm,
    VersionTermsForm,
)
from sla.models import (
    CALENDAR_TERMS,
    MARKETING_TERMS,
    SALES_TERMS,
    SLA,
    VALIDITY_TERMS,
    BreachKind,
    Period,
    Side,
    SignatoryRole,
    SLAVersion,
    VersionStatus,
)
from sla.terms import terms_canonical_json, terms_fingerprint
from smarketing.errors import DomainError
from smarketing.forms import add_service_errors

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
TERM_UNITS = {
    "mql_target": "MQLs per period",
    "acceptance_rate_target": "%",
    "decision_hours": "business hours",
    "first_touch_hours": "business hours after acceptance",
    "min_attempts": "attempts",
    "feedback_days": "days after the campaign ends",
}


def term_display(name: str, value) -> str:
    """A term as people read it: "8 business hours", "Mon, Tue…", "open-ended"."""
    if name == "working_days":
        return ", ".join(WEEKDAY_NAMES[day] for day in value) or "—"
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, list):
        return ", ".join(str(item).replace("_", " ") for item in value) or "—"
    if value is None:
        return _("open-ended") if name == "valid_until" else "—"
    unit = TERM_UNITS.get(name)
    if unit == "%":
        return f"{value} %"
    return f"{value} {unit}" if unit else str(value)


def _term_rows(version: SLAVersion, names: tuple[str, ...]) -> list[dict]:
    terms = version.terms()
    return [
        {"name": name, "label": TERM_LABELS[name], "value": term_display(name, terms[name])}
        for name in names
    ]


def _missing_labels(missing: list[str]) -> list[str]:
    """Role keys and "user:<id>" entries as names people read."""
    users = User.objects.in_bulk(
        [int(key.split(":", 1)[1]) for key in missing if key.startswith("user:")]
    )
    return [
        str(users.get(int(key.split(":", 1)[1]), key))
        if key.startswith("user:")
        else str(SignatoryRole(key).label)
        for key in missing
    ]


def _version_context(version: SLAVersion, user) -> dict:
    role = permissions.signatory_role_for(user, version)
    signed_by_me = version.signatures.filter(signer=user).exists()
    return {
        "version": version,
        "marketing_terms": _term_rows(version, MARKETING_TERMS),
        "sales_terms": _term_rows(version, SALES_TERMS),
        "calendar_terms": _term_rows(version, CALENDAR_TERMS + VALIDITY_TERMS),
        "signatures": list(version.signatures.all()),
        "missing_labels": _missing_labels(selectors.missing_signatories(version)),
        "fingerprint": terms_fingerprint(version),
        "may_sign": role is not None and not signed_by_me and version.status in lifecycle.SIGNABLE,
        "my_role": role,
    }


@login_required
def agreement(request):
    """The active agreement, drafts awaiting signature, and the history of versions."""
    slas = list(selectors.sla_list())
    if not slas:
        return render(
            request,
            "sla/agreement.html",
            {"slas": [], "may_manage": permissions.can_manage_slas(request.user)},
        )
    chosen = request.GET.get("sla")
    sla = next((item for item in slas if str(item.pk) == chosen), slas[0])
    versions = list(selectors.versions_of(sla))
    active = next((v for v in versions if v.status == VersionStatus.ACTIVE), None)
    pending = [
        _version_context(v, request.user) for v in versions if v.status in lifecycle.SIGNABLE
    ]
    return render(
        request,
        "sla/agreement.html",
        {
            "slas": slas,
            "sla": sla,
            "active": _version_context(active, request.user) if active else None,
            "pending": pending,
            "versions": versions,
            "may_manage": permissions.can_manage_slas(request.user),
            "VersionStatus": VersionStatus,
        },
    )


@login_required
def sign(request, pk: int):
    """The confirmation page: exactly what is signed, with its fingerprint; POST signs."""
    version = get_object_or_404(SLAVersion.objects.select_related("sla"), pk=pk)
    context = _version_context(version, request.user)
    if not context["may_sign"]:
        raise PermissionDenied(_("You are not asked to sign this version."))
    if request.method == "POST":
        try:
            services.version_sign(
                version=version,
                actor=request.user,
                fingerprint=request.POST.get("fingerprint", ""),
            )
        except DomainError as error:
            messages.error(request, error.message)
            return redirect("sla:sign", pk=version.pk)
        version.refresh_from_db()
        if version.status == VersionStatus.ACTIVE:
            messages.success(request, _("Signed. All signatures are in: %s is active.") % version)
        else:
            messages.success(request, _("Signed. Waiting for the other signatures."))
        return redirect(_agreement_url(version.sla))
    return render(
        request,
        "sla/sign.html",
        {
            "ctx": context,
            "version": version,
            "role_label": SignatoryRole(context["my_role"]).label,
            "canonical": terms_canonical_json(version),
        },
    )


def _agreement_url(sla: SLA) -> str:
    return f"{reverse('sla:agreement')}?sla={sla.pk}"


@login_required
def diff(request, sla_pk: int):
    """What changed between two versions of one SLA."""
    sla = get_object_or_404(SLA, pk=sla_pk)
    versions = list(sla.versions.order_by("number"))
    if len(versions) < 2:
        raise Http404(_("This SLA has only one version."))
    by_number = {str(v.number): v for v in versions}
    older = by_number.get(request.GET.get("from", ""), versions[-2])
    newer = by_number.get(request.GET.get("to", ""), versions[-1])
    if older.number > newer.number:
        older, newer = newer, older
    return render(
        request,
        "sla/diff.html",
        {
            "sla": sla,
            "versions": versions,
            "older": older,
            "newer": newer,
            "changes": [
                {
                    **change,
                    "label": TERM_LABELS[change["name"]],
                    "old": term_display(change["name"], change["old"]),
                    "new": term_display(change["name"], change["new"]),
                }
                for change in selectors.version_diff(older, newer)
            ],
        },
    )


@login_required
def create(request):
    """A new SLA for a scope, with its first draft (managers)."""
    if not permissions.can_manage_slas(request.user):
        raise PermissionDenied(_("Only managers can write SLAs."))
    form = SLACreateForm(request.POST or None, initial=_default_terms())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            version = services.sla_create(
                actor=request.user,
                name=data["name"],
                marketing_team=data["marketing_team"],
                sales_team=data["sales_team"],
                segment=data["segment"],
                region=data["region"],
                **form.terms(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Draft created. Ask the signatories to sign it."))
            return redirect(_agreement_url(version.sla))
    return render(request, "sla/form.html", {"form": form, "title": _("New SLA")})


def _default_terms() -> dict:
    return {
        "mql_target": 400,
        "acceptance_rate_target": 60,
        "mql_min_score": 65,
        "decision_hours": 8,
        "first_touch_hours": 4,
        "min_attempts": 6,
        "rejection_comment_required": True,
        "feedback_days": 5,
        "period": Period.MONTH,
        "time_zone": timezone.get_current_timezone_name(),
        "working_days": [0, 1, 2, 3, 4],
        "day_start": time(9),
        "day_end": time(17),
        "valid_from": timezone.localdate(),
    }


@login_required
def amend(request, pk: int):
    """Change terms: in place for an unsigned draft, else as a new draft version."""
    version = get_object_or_404(SLAVersion.objects.select_related("sla"), pk=pk)
    if not permissions.can_manage_slas(request.user):
        raise PermissionDenied(_("Only managers can amend SLAs."))
    editable = permissions.editable_terms_for(request.user, version.sla)
    form = VersionTermsForm(request.POST or None, instance=version, editable=editable)
    if request.method == "POST" and form.is_valid():
        try:
            result = services.version_amend(version=version, actor=request.user, **form.terms())
        except ValidationError as error:
            add_service_errors(form, error)
        except PermissionDenied as error:
            form.add_error(None, str(error))
        else:
            if result.pk == version.pk:
                messages.success(request, _("Draft updated."))
            else:
                messages.success(
                    request,
                    _("Signed terms never change: your changes are in new draft version %s.")
                    % result.number,
                )
            return redirect(_agreement_url(version.sla))
    # Keep the form's own instance unchanged for the page's heading.
    version.refresh_from_db()
    signed = version.signatures.exists() or version.status != VersionStatus.DRAFT
    return render(
        request,
        "sla/form.html",
        {
            "form": form,
            "version": version,
            "signed": signed,
            "title": _("Amend %s") % version,
        },
    )


@login_required
@require_POST
def withdraw(request, pk: int):
    version = get_object_or_404(SLAVersion.objects.select_related("sla"), pk=pk)
    try:
        services.version_abandon(version=version, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("Version %s withdrawn.") % version.number)
    return redirect(_agreement_url(version.sla))


@login_required
def compliance(request):
    """This period and previous ones, per side and per seller; breaches; at-risk targets."""
    now = timezone.now()
    history = selectors.compliance_history(months=6, now=now)
    current = history[-1]
    previous = history[-2] if len(history) > 1 else None
    filters = BreachFilterForm(request.GET or None)
    breaches = selectors.breach_list_visible_to(request.user)
    if filters.is_valid():
        breaches = selectors.breach_filter(breaches, **filters.cleaned_data)
    page = Paginator(breaches.order_by("-due_at", "-id"), 25).get_page(request.GET.get("page"))
    for breach in page.object_list:
        # For the page only: whether this user gets the acknowledge button (not a column).
        breach.may_acknowledge = (  # type: ignore[attr-defined]
            breach.acknowledged_at is None and permissions.can_acknowledge(request.user, breach)
        )
    month_since = current["since"]
    return render(
        request,
        "sla/compliance.html",
        {
            "history": history,
            "current": current,
            "previous": previous,
            "sellers": selectors.compliance_by_seller(since=month_since, until=now),
            "at_risk": selectors.at_risk_targets(now=now),
            "chart": charts.compliance_over_time(history),
            "has_data": any(row[side]["obligations"] for row in history for side in Side),
            "filters": filters,
            "page_obj": page,
            "acknowledge_form": AcknowledgeForm(),
            "Side": Side,
            "BreachKind": BreachKind,
        },
    )


@login_required
@require_POST
def acknowledge(request, pk: int):
    breach = selectors.breach_list_visible_to(request.user).filter(pk=pk).first()
    if breach is None:
        raise Http404(_("No such breach."))
    form = AcknowledgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Write a comment to acknowledge a breach."))
    else:
        try:
            services.breach_acknowledge(
                breach=breach, actor=request.user, comment=form.cleaned_data["comment"]
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Breach acknowledged."))
    next_url = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(next_url, allowed_hosts={request.get_host()}):
        next_url = reverse("sla:compliance")
    return redirect(next_url)
