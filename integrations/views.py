"""Webhook pages for managers and admins: endpoints, their secret, the delivery log.

Thin: permissions are checked here for the page (403) and again by the services.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from integrations import permissions, selectors, services
from integrations.forms import DeliveryFilterForm, EndpointForm
from smarketing.forms import add_service_errors

ENDPOINTS_PAGE_SIZE = 25
DELIVERIES_PAGE_SIZE = 30


def _require_manager(user) -> None:
    if not permissions.can_manage_webhooks(user):
        raise PermissionDenied("Only managers and admins manage webhooks.")


def _endpoint_or_404(user, pk: int):
    _require_manager(user)
    return get_object_or_404(selectors.endpoint_list_visible_to(user), pk=pk)


@login_required
def webhook_list(request):
    _require_manager(request.user)
    endpoints = selectors.endpoint_list_visible_to(request.user)
    page = Paginator(endpoints, ENDPOINTS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "integrations/webhook_list.html",
        {"page_obj": page, "endpoints": page.object_list},
    )


@login_required
def webhook_create(request):
    _require_manager(request.user)
    form = EndpointForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                endpoint, secret = services.endpoint_create(actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                # The secret is shown on this answer only: no redirect that would lose it.
                return render(
                    request,
                    "integrations/webhook_secret.html",
                    {"endpoint": endpoint, "secret": secret, "created": True},
                    status=201,
                )
    return render(
        request, "integrations/webhook_form.html", {"form": form, "endpoint": None}, status=status
    )


@login_required
def webhook_edit(request, pk: int):
    endpoint = _endpoint_or_404(request.user, pk)
    initial = {"url": endpoint.url, "description": endpoint.description, "events": endpoint.events}
    form = EndpointForm(request.POST or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.endpoint_update(endpoint=endpoint, actor=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "Endpoint saved.")
                return redirect("integrations:webhook_detail", pk=endpoint.pk)
    return render(
        request,
        "integrations/webhook_form.html",
        {"form": form, "endpoint": endpoint},
        status=status,
    )


@login_required
def webhook_detail(request, pk: int):
    endpoint = _endpoint_or_404(request.user, pk)
    filters = DeliveryFilterForm(request.GET or None)
    wanted = filters.cleaned_data["status"] if filters.is_valid() else ""
    deliveries = selectors.delivery_log(endpoint, status=wanted)
    page = Paginator(deliveries, DELIVERIES_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "integrations/webhook_detail.html",
        {
            "endpoint": endpoint,
            "filters": filters,
            "page_obj": page,
            "deliveries": page.object_list,
            "counts": selectors.delivery_counts(endpoint),
            "secret_hint": services.secret_hint(endpoint.secret),
        },
    )


@login_required
@require_POST
def webhook_rotate(request, pk: int):
    endpoint = _endpoint_or_404(request.user, pk)
    secret = services.endpoint_rotate_secret(endpoint=endpoint, actor=request.user)
    return render(
        request,
        "integrations/webhook_secret.html",
        {"endpoint": endpoint, "secret": secret, "created": False},
    )


@login_required
@require_POST
def webhook_toggle(request, pk: int):
    endpoint = _endpoint_or_404(request.user, pk)
    if endpoint.is_active:
        services.endpoint_update(endpoint=endpoint, actor=request.user, is_active=False)
        messages.success(request, "Endpoint disabled. Deliveries wait until you enable it.")
    else:
        sent = services.endpoint_enable(endpoint=endpoint, actor=request.user)
        messages.success(
            request, f"Endpoint enabled; {sent} waiting deliver{'y' if sent == 1 else 'ies'} sent."
        )
    return redirect("integrations:webhook_detail", pk=endpoint.pk)


@login_required
@require_POST
def webhook_delete(request, pk: int):
    endpoint = _endpoint_or_404(request.user, pk)
    services.endpoint_delete(endpoint=endpoint, actor=request.user)
    messages.success(request, f"Endpoint {endpoint.url} deleted.")
    return redirect("integrations:webhooks")


@login_required
@require_POST
def delivery_retry(request, pk: int, delivery_id: int):
    endpoint = _endpoint_or_404(request.user, pk)
    delivery = get_object_or_404(endpoint.deliveries, pk=delivery_id)
    try:
        services.delivery_retry(delivery=delivery, actor=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("integrations:webhook_detail", pk=endpoint.pk)
    messages.success(request, f"Delivery {delivery.message_id} sent again.")
    return redirect("integrations:webhook_detail", pk=endpoint.pk)
