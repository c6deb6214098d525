"""The administrators' webhook pages; anybody else gets the portal's refusal (a 404)."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from accounts.api import administrator_required
from portal.forms import add_service_errors
from portal.pagination import page_of

from . import services
from .forms import EndpointChangeForm, EndpointForm
from .models import Delivery, Endpoint
from .selectors import delivery_list, endpoint_list


@administrator_required
def endpoints(request):
    return render(request, "webhooks/endpoints.html", {"endpoints": endpoint_list()})


# The secret made by a POST, kept in the session for the one page that shows it (then dropped):
# reloading that page does not make another endpoint or another secret, and does not show it again.
SHOWN_ONCE = "webhooks:secret"


def _show_once(request, endpoint: Endpoint):
    request.session[SHOWN_ONCE] = {"endpoint": endpoint.pk, "secret": endpoint.secret}
    return redirect("webhooks:secret", endpoint.pk)


@administrator_required
def endpoint_create(request):
    form = EndpointForm(request.POST or None)
    if form.is_valid():
        try:
            endpoint = services.endpoint_create(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return _show_once(request, endpoint)
    return render(request, "form.html", {"form": form, "title": _("New webhook endpoint")})


@administrator_required
def endpoint_change(request, pk: int):
    endpoint = get_object_or_404(Endpoint, pk=pk)
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.events,
        "is_active": endpoint.is_active,
    }
    form = EndpointChangeForm(request.POST or None, initial=initial)
    if form.is_valid():
        try:
            services.endpoint_update(actor=request.user, endpoint=endpoint, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("The webhook endpoint was saved."))
            return redirect("webhooks:list")
    return render(request, "webhooks/endpoint.html", {"form": form, "endpoint": endpoint})


@require_http_methods(["GET", "POST"])
@administrator_required
def endpoint_secret(request, pk: int):
    """POST: a new secret. GET: the secret just made, once; afterwards only that it was shown."""
    endpoint = get_object_or_404(Endpoint, pk=pk)
    if request.method == "POST":
        return _show_once(request, services.endpoint_rotate_secret(actor=request.user, endpoint=endpoint))
    made = request.session.pop(SHOWN_ONCE, None)
    if not made or made["endpoint"] != endpoint.pk:
        messages.info(request, _("A secret is shown only once, when it is made; make a new one if it was lost."))
        return redirect("webhooks:change", endpoint.pk)
    return render(request, "webhooks/secret.html", {"endpoint": endpoint, "secret": made["secret"]})


@require_POST
@administrator_required
def endpoint_delete(request, pk: int):
    endpoint = get_object_or_404(Endpoint, pk=pk)
    services.endpoint_delete(actor=request.user, endpoint=endpoint)
    messages.success(request, _("The webhook endpoint was deleted."))
    return redirect("webhooks:list")


@administrator_required
def deliveries(request, pk: int):
    """Every message to one endpoint: its event, status, attempts and the receiver's answers."""
    endpoint = get_object_or_404(Endpoint, pk=pk)
    return render(
        request,
        "webhooks/deliveries.html",
        {
            "endpoint": endpoint,
            "page": page_of(request, delivery_list(endpoint)),
            "kept_days": settings.WEBHOOKS_DELIVERIES_KEPT_DAYS,
        },
    )


@require_POST
@administrator_required
def delivery_resend(request, pk: int):
    delivery = get_object_or_404(Delivery, pk=pk)
    try:
        services.delivery_resend(delivery=delivery)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The message was handed to the worker again."))
    return redirect("webhooks:deliveries", delivery.endpoint_id)
