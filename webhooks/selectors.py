"""What the webhook pages read."""

from django.db.models import Prefetch, QuerySet

from .models import Attempt, Delivery, Endpoint


def endpoint_list() -> QuerySet[Endpoint]:
    return Endpoint.objects.all()


def delivery_list(endpoint: Endpoint) -> QuerySet[Delivery]:
    """An endpoint's messages, newest first, each with its attempts (newest first)."""
    return endpoint.deliveries.prefetch_related(Prefetch("attempt_set", queryset=Attempt.objects.all()))
