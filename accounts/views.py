from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from accounts import services
from accounts.forms import ApiTokenCreateForm
from accounts.models import ApiToken


@login_required
def home(request):
    """Each role's starting point: what it works on today."""
    return render(request, "accounts/home.html", {"role": request.user.role})


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
                for field, field_errors in error.message_dict.items():
                    for message in field_errors:
                        form.add_error(field if field in form.fields else None, message)
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
