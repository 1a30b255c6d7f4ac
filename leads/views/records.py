"""Marketing creates and edits a lead's record (not its stage or owner: those are moves)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render

from leads import permissions, services
from leads.forms import LeadForm
from leads.views.common import visible_lead_or_404
from smarketing.forms import add_service_errors


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
    lead = visible_lead_or_404(request.user, pk)
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
