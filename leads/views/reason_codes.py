"""Managers keep the list of reasons for reject, recycle and lose."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from leads import permissions, services
from leads.forms import ReasonCodeCreateForm, ReasonCodeEditForm
from leads.models import ReasonCode
from leads.views.common import run_service


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
                status = run_service(
                    form,
                    lambda: services.reason_code_save(
                        actor=request.user, reason_code=code, **form.cleaned_data
                    ),
                )
            if status == 200:
                messages.success(request, f"Reason code “{code.code}” saved.")
                return redirect("leads:reason_codes")
        elif create_form.is_valid():
            status = run_service(
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
