"""The administrators' API keys page: list, make (the key shown once), revoke."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.api import administrator_required
from portal.forms import add_service_errors

from . import services
from .forms import ApiKeyForm
from .models import RESOURCES, ApiKey

MADE = "api_key_made"


def _page(request, form: ApiKeyForm, made: str = ""):
    keys = ApiKey.objects.select_related("created_by", "revoked_by").order_by("revoked", "-created")
    return render(
        request,
        "integrations/keys.html",
        {"keys": keys, "form": form, "made": made, "resources": RESOURCES},
    )


@administrator_required
def api_keys(request):
    form = ApiKeyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            _key, secret = services.api_key_create(
                actor=request.user,
                name=form.cleaned_data["name"],
                scopes=form.scopes(),
                expires_at=form.expires_at(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            # Shown on the next page only (then gone from the session): a reload makes no second key.
            request.session[MADE] = secret
            return redirect("integrations:keys")
    return _page(request, form, made=request.session.pop(MADE, "") if request.method == "GET" else "")


@require_POST
@administrator_required
def api_key_revoke(request, prefix: str):
    key = get_object_or_404(ApiKey, prefix=prefix)
    try:
        services.api_key_revoke(actor=request.user, key=key)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The key %(name)s was revoked.") % {"name": key.label})
    return redirect("integrations:keys")
