from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import ApiTokenCreateForm
from accounts.models import ApiToken, Notification
from smarketing.forms import add_service_errors

NOTIFICATIONS_PAGE_SIZE = 30


@login_required
def notifications(request):
    """The user's in-app notices, newest first; unread ones stand out."""
    notices = Notification.objects.filter(recipient=request.user).order_by("-created_at", "-id")
    page = Paginator(notices, NOTIFICATIONS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request, "accounts/notifications.html", {"page_obj": page, "notices": page.object_list}
    )


@login_required
@require_POST
def notification_open(request, pk: int):
    """Mark one notice read and go where it points (only to a page of this site)."""
    notice = get_object_or_404(Notification, pk=pk, recipient=request.user)
    services.notifications_mark_read(user=request.user, notification_id=notice.pk)
    if notice.url and url_has_allowed_host_and_scheme(
        notice.url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(notice.url)
    return redirect("accounts:notifications")


@login_required
@require_POST
def notifications_mark_read(request):
    """Mark every unread notice of the user read (or one, with ``id``)."""
    notice_id = request.POST.get("id")
    if notice_id:
        if not notice_id.isdigit():
            return redirect("accounts:notifications")
        count = services.notifications_mark_read(user=request.user, notification_id=int(notice_id))
    else:
        count = services.notifications_mark_read(user=request.user)
    if count:
        messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read.")
    return redirect("accounts:notifications")


@login_required
def api_tokens(request):
    """The user's own API tokens; a new token is shown once, right after creation."""
    form = ApiTokenCreateForm(request.POST or None)
    new_raw_token = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                _token, new_raw_token = services.api_token_create(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    expires_days=form.cleaned_data["expires_days"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
                status = 400
            else:
                form = ApiTokenCreateForm()
        else:
            status = 400
    tokens = ApiToken.objects.filter(user=request.user)
    return render(
        request,
        "accounts/api_tokens.html",
        {"form": form, "tokens": tokens, "new_raw_token": new_raw_token},
        status=status,
    )


@login_required
@require_POST
def api_token_revoke(request, pk: int):
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, f"Token “{token.name}” revoked. It stops working at once.")
    return redirect("accounts:api_tokens")
