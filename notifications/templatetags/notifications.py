"""The person's notifications on their dashboard, so ``assessments`` needs no import of them."""

from django import template
from django.template.loader import render_to_string

from ..selectors import notifications_of

register = template.Library()


@register.simple_tag(takes_context=True)
def my_notifications(context) -> str:
    request = context["request"]
    return render_to_string(
        "notifications/dashboard_list.html", {"notifications": notifications_of(request.user)}, request=request
    )
