"""Field mappings: the CRMs' column names for imports, sync and export (managers)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from leads import mappings, permissions, services
from leads.forms import FieldMappingForm
from leads.models import FieldMapping
from leads.views.common import run_service


def _require_manager(user) -> None:
    if not permissions.can_manage_mappings(user):
        raise PermissionDenied("Only managers define field mappings.")


def _render(request, form, editing, status=200):
    return render(
        request,
        "leads/mappings.html",
        {
            "form": form,
            "editing": editing,
            "built_in": mappings.BUILT_IN.values(),
            "custom": FieldMapping.objects.all(),
            "fields": mappings.TARGET_FIELDS,
        },
        status=status,
    )


@login_required
def mapping_list(request):
    """Built-in profiles (Salesforce, HubSpot), custom mappings, and a form for a new one."""
    _require_manager(request.user)
    form = FieldMappingForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            status = run_service(
                form, lambda: services.field_mapping_save(actor=request.user, **form.cleaned_data)
            )
            if status == 200:
                messages.success(request, f"Mapping “{form.cleaned_data['label']}” saved.")
                return redirect("leads:mappings")
    return _render(request, form, None, status)


@login_required
def mapping_edit(request, pk: int):
    _require_manager(request.user)
    mapping = get_object_or_404(FieldMapping, pk=pk)
    initial = {
        "label": mapping.label,
        "source_system": mapping.source_system,
        "columns": FieldMappingForm.columns_text(mapping.columns),
    }
    form = FieldMappingForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            status = run_service(
                form,
                lambda: services.field_mapping_save(
                    actor=request.user, mapping=mapping, **form.cleaned_data
                ),
            )
            if status == 200:
                messages.success(request, f"Mapping “{mapping.label}” saved.")
                return redirect("leads:mappings")
    return _render(request, form, mapping, status)


@login_required
@require_POST
def mapping_delete(request, pk: int):
    _require_manager(request.user)
    mapping = get_object_or_404(FieldMapping, pk=pk)
    services.field_mapping_delete(actor=request.user, mapping=mapping)
    messages.success(request, f"Mapping “{mapping.label}” deleted.")
    return redirect("leads:mappings")
