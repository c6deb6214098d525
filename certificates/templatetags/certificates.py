"""The certificate box of an assessment page, so that ``assessments`` needs no import of it."""

from django import template
from django.template.loader import render_to_string

from ..forms import RerenderForm, RevokeForm
from ..selectors import certificate_panel

register = template.Library()


@register.simple_tag(takes_context=True)
def certificate_box(context, assessment) -> str:
    """The box when the user may see the assessment's certificate; nothing otherwise."""
    request = context["request"]
    panel = certificate_panel(assessment, request.user)
    if panel is None:
        return ""
    certificate = panel.certificate
    return render_to_string(
        "certificates/panel.html",
        {
            "certificate": panel,
            "assessment": assessment,
            "rerender_form": RerenderForm(
                auto_id="rerender-%s",
                initial={
                    "first_language": certificate.first_language,
                    "second_language": certificate.second_language,
                },
            ),
            "revoke_form": RevokeForm(auto_id="revoke-%s"),
        },
        request=request,
    )
