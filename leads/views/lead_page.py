"""A lead's page, and the actions on one lead: moves, touches, reassignment.

The actions answer the lead page (a plain form post: back to the page, or the page again
with the form's errors) or an inbox or queue row (htmx: the row's new state, swapped in
place even with an error status).
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from leads import lifecycle, permissions, selectors, services
from leads.forms import MoveForm, ReassignForm, TouchForm, form_with_error
from leads.models import Stage, TouchKind
from leads.views.common import run_service, visible_lead_or_404
from leads.views.rows import ROW_PAGES, ROW_TEMPLATES, attach_moves, attach_sla_times, row_options


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
        attach_sla_times([lead], timezone.now())
    return context


@login_required
def lead_detail(request, pk: int):
    """A lead, its timeline, and the actions the current user may take (only those)."""
    lead = visible_lead_or_404(request.user, pk)
    return render(request, "leads/detail.html", _detail_context(request, lead))


def _answer(request, lead, *, row: str, action: str, form, status: int, done: str = ""):
    """Answer an action: the row again (htmx) or the lead page (a plain form post).

    ``done`` is the success message; an empty one with status 200 keeps the row as it is.
    """
    if request.htmx and row in ROW_TEMPLATES:
        lead = selectors.lead_list_visible_to(request.user).filter(pk=lead.pk).first() or lead
        options = row_options(request.user)
        if lead.stage == Stage.MQL:
            attach_sla_times([lead], options["now"])
        attach_moves([lead], request.user)
        context = {
            **options,
            "lead": lead,
            "row_action": action,
            "row_form": form if status != 200 else None,
            "done": done if status == 200 else "",
            "reason_labels": selectors.reason_code_labels() if row == "rejected" else {},
        }
        if row == "rejected" and lead.stage == Stage.REJECTED:
            # The row template reads the rejections that rejected_queue() prefetches onto its
            # leads (Prefetch(to_attr=)): an attribute of those leads only, not of Lead.
            queued = selectors.rejected_queue().filter(pk=lead.pk)[0]
            lead.rejections = list(queued.rejections)  # type: ignore[attr-defined]
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


@login_required
@require_POST
def lead_move(request, pk: int, action: str):
    """One lifecycle move on one lead, from the lead page, the inbox or the rejected queue."""
    lead = visible_lead_or_404(request.user, pk)
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
        status = run_service(
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
    lead = visible_lead_or_404(request.user, pk)
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
        status = run_service(
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
    lead = visible_lead_or_404(request.user, pk)
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
        status = run_service(
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
