"""Pages of the leads area: thin, over leads.selectors and leads.services.

Every page checks permissions on the server. A lead the user may not see is a 404 (never
a 403 that would reveal it exists); a lead they see but may not act on is a 403. Forms
are validated, then one service is called; its ValidationError or DomainError goes back
onto the form (400, 409 for a conflict), so a bad input is never a 500 and never
half-written (each service runs in one transaction).

The inbox and the rejected queue act row by row with htmx: a POST carrying ``row``
answers with that row's new state (or a short "done" row when the lead left the list).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from leads import lifecycle, permissions, selectors, services
from leads.filters import LeadPageFilter
from leads.forms import (
    LeadForm,
    MoveForm,
    ReasonCodeCreateForm,
    ReasonCodeEditForm,
    ReassignForm,
    TouchForm,
    form_with_error,
)
from leads.models import ReasonCode, Stage, TouchKind
from smarketing.errors import Conflict, DomainError
from smarketing.forms import add_service_errors

PAGE_SIZE = 50
INBOX_PAGE_SIZE = 25

# Rows the inbox and the rejected queue re-render after an htmx action.
ROW_TEMPLATES = {
    "mql": "leads/_row_mql.html",
    "working": "leads/_row_working.html",
    "rejected": "leads/_row_rejected.html",
}
# Where a row's form goes back to when the browser posted it without htmx.
ROW_PAGES = {"mql": "leads:inbox", "working": "leads:inbox", "rejected": "leads:rejected"}


def _visible_lead_or_404(user, pk: int):
    lead = selectors.lead_list_visible_to(user).filter(pk=pk).first()
    if lead is None:
        raise Http404("No such lead.")
    return lead


def _works_the_inbox(user) -> bool:
    return user.is_sales or permissions.is_admin(user)


def _works_rejected_queue(user) -> bool:
    return user.is_marketing or permissions.is_admin(user)


def _page(request, queryset, size: int, param: str = "page"):
    return Paginator(queryset, size).get_page(request.GET.get(param))


def _attach_sla_times(leads, now) -> None:
    """Give each MQL its waiting time and the time left to its decision deadline.

    The deadline is the lead's own ``decision_due_at`` (the SLA sets it at the
    hand-over); a lead without one has no deadline (``due_at`` None).
    """
    for lead in leads:
        lead.waited = now - lead.handed_over_at if lead.handed_over_at else None
        lead.due_at = lead.decision_due_at
        lead.time_left = lead.due_at - now if lead.due_at else None
        lead.is_overdue = lead.time_left is not None and lead.time_left.total_seconds() < 0
        if lead.is_overdue:
            lead.overdue_by = -lead.time_left


def _attach_moves(leads, user) -> None:
    """Give each lead the moves ``user`` may make on it: its row's buttons (no query)."""
    for lead in leads:
        lead.allowed_moves = permissions.moves_allowed(user, lead)


def _row_options(user) -> dict:
    """What every inbox or queue row needs: fetched once per page, not once per row."""
    options = {
        "reason_codes": list(selectors.reason_codes_active()),
        "touch_kinds": TouchKind.choices,
        "shows_owner": selectors.inbox_shows_owner(user),
        "now": timezone.now(),
    }
    if options["shows_owner"]:
        options["sellers"] = list(selectors.sellers_for_reassignment(user))
    return options


# --- Seller's inbox ----------------------------------------------------------------------


@login_required
def inbox(request):
    """MQLs waiting for a decision (oldest hand-over first), then the SALs and SQLs worked."""
    if not _works_the_inbox(request.user):
        raise PermissionDenied("The inbox is sales' desk.")
    options = _row_options(request.user)
    mqls = _page(request, selectors.inbox_mqls_for(request.user), INBOX_PAGE_SIZE)
    _attach_sla_times(mqls.object_list, options["now"])
    working = _page(request, selectors.inbox_working_for(request.user), INBOX_PAGE_SIZE, "wpage")
    _attach_moves([*mqls.object_list, *working.object_list], request.user)
    return render(
        request,
        "leads/inbox.html",
        {
            **options,
            "mqls": mqls,
            "working": working,
            "is_team_view": options["shows_owner"],
        },
    )


# --- All leads ---------------------------------------------------------------------------


@login_required
def lead_list(request):
    """Every lead the user may see, filtered, sorted and paginated; filters survive paging."""
    filterset = LeadPageFilter(
        request.GET, queryset=selectors.lead_list_visible_to(request.user), request=request
    )
    filterset.form.fields["owner"].empty_label = "Anyone"
    page = _page(request, filterset.qs, PAGE_SIZE)
    return render(
        request,
        "leads/list.html",
        {
            "filter": filterset,
            "page_obj": page,
            "leads": page.object_list,
            "sort": filterset.sort_key(),
            "sort_default": LeadPageFilter.SORT_DEFAULT,
            "is_filtered": filterset.is_filtered(),
            "can_create": permissions.can_edit_lead(request.user),
            "stages": Stage.choices,
            "selected_stages": request.GET.getlist("stage"),
        },
    )


# --- Create and edit ---------------------------------------------------------------------


@login_required
def lead_create(request):
    if not permissions.can_edit_lead(request.user):
        raise PermissionDenied("Only marketing can create leads.")
    form = LeadForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                lead = services.lead_create(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, f"Lead {lead} created.")
                return redirect("leads:detail", pk=lead.pk)
    return render(request, "leads/form.html", {"form": form, "lead": None}, status=status)


@login_required
def lead_edit(request, pk: int):
    lead = _visible_lead_or_404(request.user, pk)
    if not permissions.can_edit_lead(request.user, lead):
        raise PermissionDenied("Only marketing can edit leads.")
    form = LeadForm.for_lead(lead, request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            changes = {name: form.cleaned_data[name] for name in form.changed_data}
            if not changes:
                messages.info(request, "Nothing changed.")
                return redirect("leads:detail", pk=lead.pk)
            try:
                services.lead_update(lead=lead, actor=request.user, **changes)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Lead saved.")
                return redirect("leads:detail", pk=lead.pk)
    return render(request, "leads/form.html", {"form": form, "lead": lead}, status=status)


# --- Rejected queue ----------------------------------------------------------------------


@login_required
def rejected(request):
    """Leads sales rejected, newest rejection first, for marketing to recycle or disqualify."""
    if not _works_rejected_queue(request.user):
        raise PermissionDenied("The rejected-leads queue is marketing's.")
    page = _page(request, selectors.rejected_queue(), PAGE_SIZE)
    _attach_moves(page.object_list, request.user)
    return render(
        request,
        "leads/rejected.html",
        {
            **_row_options(request.user),
            "page_obj": page,
            "leads": page.object_list,
            "reason_labels": selectors.reason_code_labels(),
        },
    )


# --- Lead page ---------------------------------------------------------------------------


def _detail_context(request, lead, bound: dict | None = None) -> dict:
    """The lead page: its facts, its timeline, and forms for the moves the user may make."""
    user = request.user
    bound = bound or {}
    move_forms = [
        (
            move,
            bound.get(move.action)
            or MoveForm(move=move, user=user, auto_id=f"id_{move.action}_%s"),
        )
        for move in permissions.moves_allowed(user, lead)
    ]
    context = {
        "lead": lead,
        "move_forms": move_forms,
        "timeline": selectors.lead_timeline(lead),
        "reason_labels": selectors.reason_code_labels(),
        "can_edit": permissions.can_edit_lead(user, lead),
        "touch_form": None,
        "reassign_form": None,
    }
    if permissions.can_log_touch(user, lead) and lead.stage in lifecycle.SALES_STAGES:
        context["touch_form"] = bound.get("touch") or TouchForm(auto_id="id_touch_%s")
    if permissions.can_reassign(user, lead) and lead.stage in lifecycle.SALES_STAGES:
        context["reassign_form"] = bound.get("reassign") or ReassignForm(
            user=user, auto_id="id_reassign_%s", initial={"expected_owner": lead.owner_id}
        )
    if lead.stage == Stage.MQL:
        _attach_sla_times([lead], timezone.now())
    return context


@login_required
def lead_detail(request, pk: int):
    """A lead, its timeline, and the actions the current user may take (only those)."""
    lead = _visible_lead_or_404(request.user, pk)
    return render(request, "leads/detail.html", _detail_context(request, lead))


def _answer(request, lead, *, row: str, action: str, form, status: int, done: str = ""):
    """Answer an action: the row again (htmx) or the lead page (a plain form post).

    ``done`` is the success message; an empty one with status 200 keeps the row as it is.
    """
    if request.htmx and row in ROW_TEMPLATES:
        lead = selectors.lead_list_visible_to(request.user).filter(pk=lead.pk).first() or lead
        options = _row_options(request.user)
        if lead.stage == Stage.MQL:
            _attach_sla_times([lead], options["now"])
        _attach_moves([lead], request.user)
        context = {
            **options,
            "lead": lead,
            "row_action": action,
            "row_form": form if status != 200 else None,
            "done": done if status == 200 else "",
            "reason_labels": selectors.reason_code_labels() if row == "rejected" else {},
        }
        if row == "rejected" and lead.stage == Stage.REJECTED:
            lead.rejections = list(selectors.rejected_queue().filter(pk=lead.pk)[0].rejections)
        response = render(request, ROW_TEMPLATES[row], context, status=status)
        response["X-Smarketing-Row"] = row  # swapped in place, even with an error status
        return response
    if status == 200:
        messages.success(request, f"{lead}: {done}" if row in ROW_PAGES else done)
        if row in ROW_PAGES:
            return redirect(ROW_PAGES[row])
        return redirect("leads:detail", pk=lead.pk)
    lead.refresh_from_db()
    context = _detail_context(request, lead, bound={action: form})
    context["failed_action"] = action
    shown = {move.action for move, _form in context["move_forms"]}
    shown |= {"touch"} if context["touch_form"] else set()
    shown |= {"reassign"} if context["reassign_form"] else set()
    if action not in shown:
        # The lead moved on (a conflict) or the action never applied: no form shows the
        # message, so the page says it on top.
        context["page_errors"] = form.non_field_errors()
    return render(request, "leads/detail.html", context, status=status)


def _refuse(request, lead, *, row: str, action: str, message: str):
    """403: inside an htmx row the message replaces the row's actions; elsewhere a 403 page."""
    if request.htmx and row in ROW_TEMPLATES:
        form = form_with_error(message)
        return _answer(request, lead, row=row, action=action, form=form, status=403)
    raise PermissionDenied(message)


def _run(form, call) -> int:
    """Call a service; its errors go on the form. Returns the HTTP status to answer with."""
    try:
        call()
    except ValidationError as error:
        add_service_errors(form, error)
        return 400
    except Conflict as error:
        form.add_error(None, error.message)
        return 409
    except DomainError as error:
        form.add_error(None, error.message)
        return 400
    except PermissionDenied as error:
        form.add_error(None, str(error) or "You may not do this.")
        return 403
    return 200


@login_required
@require_POST
def lead_move(request, pk: int, action: str):
    """One lifecycle move on one lead, from the lead page, the inbox or the rejected queue."""
    lead = _visible_lead_or_404(request.user, pk)
    row = request.POST.get("row", "")
    # The move the user's page offered, from the stage it showed; the service refuses it
    # (Conflict) if the lead has moved on since.
    seen_stage = request.POST.get("stage") or lead.stage
    move = lifecycle.find_move(action, seen_stage)
    if move is None:
        stage_label = dict(Stage.choices).get(seen_stage, seen_stage)
        form = form_with_error(f"“{action}” is not possible for a lead in stage {stage_label}.")
        return _answer(request, lead, row=row, action=action, form=form, status=400)
    if not permissions.can_make_move(request.user, lead, move):
        return _refuse(
            request, lead, row=row, action=action, message=f"You may not {action} this lead."
        )
    form = MoveForm(request.POST, move=move, user=request.user, auto_id=f"id_{action}_%s")
    status = 400
    if form.is_valid():
        status = _run(
            form,
            lambda: services.lead_transition(
                lead=lead,
                action=action,
                actor=request.user,
                expected_stage=seen_stage,
                **form.service_arguments(),
            ),
        )
        if (
            status == 400
            and "override_reason" in form.fields
            and not form.cleaned_data.get("override_reason")
            and form.non_field_errors()
        ):
            # The SLA refused the MQL definition: a manager may still hand it over.
            form.add_error("override_reason", "To hand it over anyway, say why here.")
    done = _done_message(lead, move) if status == 200 else ""
    return _answer(request, lead, row=row, action=action, form=form, status=status, done=done)


def _done_message(lead, move) -> str:
    lead.refresh_from_db()
    messages_by_target = {
        Stage.MQL: f"Handed over to {lead.owner}.",
        Stage.SAL: "Accepted: it is now a SAL in your pipeline.",
        Stage.REJECTED: "Rejected: marketing will recycle or disqualify it.",
        Stage.SQL: f"Qualified to SQL, expected {lead.expected_amount}.",
        Stage.CUSTOMER: f"Won, {lead.won_amount}. Well done!",
        Stage.LOST: "Marked as lost.",
        Stage.LEAD: "Recycled to marketing for nurture.",
        Stage.DISQUALIFIED: "Disqualified.",
    }
    return messages_by_target.get(move.target, "Done.")


@login_required
@require_POST
def lead_touch(request, pk: int):
    """Log a contact attempt (call, e-mail, meeting, social) on a lead sales works."""
    lead = _visible_lead_or_404(request.user, pk)
    row = request.POST.get("row", "")
    if not permissions.can_log_touch(request.user, lead):
        return _refuse(
            request,
            lead,
            row=row,
            action="touch",
            message="Only the lead's owner or a sales manager can log touches.",
        )
    form = TouchForm(request.POST, auto_id="id_touch_%s")
    status = 400
    if form.is_valid():
        status = _run(
            form,
            lambda: services.touch_log(
                lead=lead,
                actor=request.user,
                kind=form.cleaned_data["kind"],
                note=form.cleaned_data["note"],
            ),
        )
    kind = (
        dict(TouchKind.choices).get(form.cleaned_data.get("kind", ""), "Touch")
        if status == 200
        else ""
    )
    return _answer(
        request, lead, row=row, action="touch", form=form, status=status, done=f"{kind} logged."
    )


@login_required
@require_POST
def lead_reassign(request, pk: int):
    """A sales manager gives a lead to another seller; recorded in its history."""
    lead = _visible_lead_or_404(request.user, pk)
    row = request.POST.get("row", "")
    if not permissions.can_reassign(request.user, lead):
        return _refuse(
            request,
            lead,
            row=row,
            action="reassign",
            message="Only a sales manager can reassign leads.",
        )
    form = ReassignForm(request.POST, user=request.user, auto_id="id_reassign_%s")
    status = 400
    if form.is_valid():
        status = _run(
            form,
            lambda: services.lead_reassign(
                lead=lead,
                actor=request.user,
                new_owner=form.cleaned_data["owner"],
                comment=form.cleaned_data["comment"],
                expected_stage=request.POST.get("stage") or None,
                expected_owner_id=form.cleaned_data["expected_owner"],
            ),
        )
    done = f"Reassigned to {form.cleaned_data['owner']}." if status == 200 else ""
    return _answer(request, lead, row=row, action="reassign", form=form, status=status, done=done)


# --- Reason codes ------------------------------------------------------------------------


@login_required
def reason_codes(request):
    """Managers keep the list of reasons for reject, recycle and lose."""
    if not permissions.can_manage_reason_codes(request.user):
        raise PermissionDenied("Only managers can change the reason codes.")
    codes = list(ReasonCode.objects.order_by("position", "label"))
    editing = request.POST.get("reason_code") if request.method == "POST" else None
    adding = request.method == "POST" and not editing
    create_form = ReasonCodeCreateForm(request.POST if adding else None, prefix="new")
    edit_forms = {code.pk: ReasonCodeEditForm.for_code(code) for code in codes}
    status = 200
    if request.method == "POST":
        status = 400
        if editing:
            code = next((code for code in codes if str(code.pk) == editing), None)
            if code is None:
                raise Http404("No such reason code.")
            form = ReasonCodeEditForm.for_code(code, request.POST)
            edit_forms[code.pk] = form
            if form.is_valid():
                status = _run(
                    form,
                    lambda: services.reason_code_save(
                        actor=request.user, reason_code=code, **form.cleaned_data
                    ),
                )
            if status == 200:
                messages.success(request, f"Reason code “{code.code}” saved.")
                return redirect("leads:reason_codes")
        elif create_form.is_valid():
            status = _run(
                create_form,
                lambda: services.reason_code_save(actor=request.user, **create_form.cleaned_data),
            )
            if status == 200:
                messages.success(
                    request, f"Reason code “{create_form.cleaned_data['code']}” added."
                )
                return redirect("leads:reason_codes")
    rows = [(code, edit_forms[code.pk]) for code in codes]
    return render(
        request,
        "leads/reason_codes.html",
        {"rows": rows, "create_form": create_form, "list_url": reverse("leads:reason_codes")},
        status=status,
    )
