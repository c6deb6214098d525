"""Ids beyond any database integer (SQLite stops at 2**63 - 1) are a 404 or a form error, never a crash."""

import json
import re

import pytest
from django import forms
from django.contrib import admin
from django.db import models
from django.urls import get_resolver

from assessments.models import Assessment, Objection
from portal.ids import IdChoiceField, IdMultipleChoiceField

from . import factories, flows, samples
from .assessments.test_permissions import ADMINISTRATOR, CANDIDATE, VIEWS, sign_in_as, world  # noqa: F401

HUGE = "99999999999999999999999"


def with_huge_ids(url: str) -> str:
    return re.sub(r"\{(?!code\})\w+\}", HUGE, url)


WITH_IDS = [view for view in VIEWS if "{" in view[2]]


@pytest.mark.django_db
@pytest.mark.parametrize("name,method,url,allowed", WITH_IDS, ids=[v[0] for v in WITH_IDS])
def test_a_huge_id_in_a_path_is_a_404(client, world, name, method, url, allowed):  # noqa: F811
    users, ids = world
    for who in (CANDIDATE, ADMINISTRATOR):
        sign_in_as(client, users, who)
        response = getattr(client, method)(with_huge_ids(url).format(**ids))
        assert response.status_code == 404, (who, name, response.status_code)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "about",
    [
        f"assessments.assessment:{HUGE}",
        f"assessments.assessment:-{HUGE}",
        "assessments.assessment:0",
        "assessments.assessment:abc",
        "no.such:1",
    ],
)
def test_a_filter_that_names_no_subject_in_the_audit_trail_is_a_404(client, administrator, assessment, about):
    client.force_login(administrator)
    assert client.get(f"/audit/?about={about}").status_code == 404
    assert client.get(f"/audit/?about=assessments.assessment:{assessment.pk}").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("value", [HUGE, f"-{HUGE}"])
def test_a_huge_id_in_the_dashboard_filter_is_a_form_error(client, administrator, value):
    client.force_login(administrator)
    response = client.get(f"/assessments/?assessor={value}")
    assert response.status_code == 200 and "assessor" in response.context["filters"].errors


@pytest.mark.django_db
@pytest.mark.parametrize("field", ["candidate", "qualification", "first_assessor", "second_assessor"])
def test_a_huge_id_in_a_choice_of_the_assessment_form_is_a_form_error(client, administrator, assessment, field):
    client.force_login(administrator)
    data = {
        "candidate": assessment.candidate_id,
        "qualification": assessment.qualification_id,
        "first_assessor": assessment.first_assessor_id,
        "second_assessor": assessment.second_assessor_id,
        "scheduled_at": "2026-12-01T09:00",
        "location": "Gent",
        field: HUGE,
    }
    response = client.post("/assessments/new/", data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Assessment.objects.count() == 1


@pytest.mark.django_db
def test_a_huge_id_among_the_competencies_of_a_portfolio_file_is_a_form_error(client, assessment):
    client.force_login(assessment.candidate)
    response = client.post(
        f"/assessments/{assessment.pk}/portfolio/add/",
        {
            "file": samples.pdf(),
            "description": "CV",
            "competencies": [HUGE],
            "indicators": [HUGE],
        },
    )
    assert response.status_code == 200
    assert {"competencies", "indicators"} <= set(response.context["form"].errors)
    assert not assessment.portfolio_items.exists()


@pytest.mark.django_db
def test_a_huge_id_among_the_disputed_competencies_is_a_form_error(client, assessment):
    decided = flows.decide(assessment, not_proven={10})
    client.force_login(decided.candidate)
    response = client.post(f"/assessments/{decided.pk}/objection/", {"competencies": [HUGE], "reason": "Noise"})
    assert response.status_code == 200
    assert "competencies" in response.context["form"].errors
    assert not Objection.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("url", ["/assessments/", "/accounts/people/", "/audit/"])
@pytest.mark.parametrize("direction", ["after", "before"])
def test_a_huge_id_in_a_page_cursor_is_ignored(client, administrator, assessment, url, direction):
    """The cursor of a keyset page names a row by its sort columns and its id."""
    client.force_login(administrator)
    columns = {"/assessments/": ["2026-01-01T09:00:00+00:00"], "/accounts/people/": ["Peeters", "An"]}
    cursor = json.dumps([*columns.get(url, ["2026-01-01T09:00:00+00:00"]), HUGE])
    assert client.get(url, {direction: cursor}).status_code == 200


def project_forms() -> list[type[forms.BaseForm]]:
    """Every form class the portal defines (its views, and so their forms, are imported by the URLs)."""
    get_resolver().url_patterns  # noqa: B018 - imports every view module
    found, todo = [], [forms.BaseForm]
    while todo:
        for subclass in todo.pop().__subclasses__():
            todo.append(subclass)
            if subclass.__module__.split(".")[0] in PROJECT_APPS:
                found.append(subclass)
    return found


PROJECT_APPS = {"accounts", "assessments", "audit", "certificates", "notifications", "qualifications", "portal"}


def bypasses_the_id_parser(field: forms.Field) -> bool:
    """A model choice named by an integer column (the id) that does not parse it with ``portal.ids``."""
    if not isinstance(field, forms.ModelChoiceField):
        return False
    key = field.queryset.model._meta.get_field(field.to_field_name) if field.to_field_name else None
    if key is not None and not isinstance(key, models.IntegerField | models.AutoField):
        return False  # named by a code or an address: no integer to overflow
    return not isinstance(field, IdChoiceField | IdMultipleChoiceField)


def test_every_model_choice_of_every_form_parses_its_ids_with_the_id_parser():
    classes = project_forms()
    assert {"ObjectionForm", "PortfolioItemForm", "AssessmentForm"} <= {c.__name__ for c in classes}
    offending = [
        f"{form.__module__}.{form.__name__}.{name}"
        for form in classes
        for name, field in form.base_fields.items()
        if bypasses_the_id_parser(field)
    ]
    assert offending == []


@pytest.mark.django_db
def test_every_model_choice_of_every_admin_form_parses_its_ids_with_the_id_parser(rf):
    """The forms the Django admin accepts (adding, changing, and their inlines), for a superuser."""
    request = rf.get("/admin/")
    request.user = factories.AdministratorFactory(is_superuser=True)
    offending = []
    for model, model_admin in admin.site._registry.items():
        forms_posted = []
        if model_admin.has_add_permission(request):
            forms_posted.append(model_admin.get_form(request, None, change=False))
        if model_admin.has_change_permission(request):
            forms_posted.append(model_admin.get_form(request, model._base_manager.first() or model(), change=True))
        for inline in model_admin.get_inline_instances(request):
            if inline.has_add_permission(request, None) or inline.has_change_permission(request, None):
                forms_posted.append(inline.get_formset(request, None).form)
        offending += [
            f"{model._meta.label}.{name}"
            for form in forms_posted
            for name, field in form.base_fields.items()
            if bypasses_the_id_parser(field)
        ]
    assert offending == []
