"""Item 3 of the outcomes: objection (bezwaar) within the period, decided by an administrator."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessments import services
from assessments.models import Assessment, Judgement, Objection
from audit.models import AuditEntry

from .. import flows
from ..rules import breaks_rule
from .conftest import codes

pytestmark = pytest.mark.django_db


def lodge(assessment, orders=(10,), reason="The observation was cut short."):
    competencies = list(assessment.qualification.competencies.filter(order__in=orders))
    return services.objection_lodge(
        actor=assessment.candidate, assessment=assessment, competencies=competencies, reason=reason
    )


def uphold(objection, first, second, reason="The room was too noisy."):
    return services.objection_decide(
        actor=_admin(),
        objection=objection,
        upheld=True,
        reason=reason,
        first_assessor=first,
        second_assessor=second,
        scheduled_at=timezone.now() + timedelta(hours=1),
        location="Room 9",
    )


def _admin():
    from ..factories import AdministratorFactory

    return AdministratorFactory()


def test_candidate_lodges_an_objection_within_the_period(nine_of_ten):
    objection = lodge(nine_of_ten)
    assert objection.status == Objection.Status.OPEN
    assert [c.order for c in objection.competencies.all()] == [10]
    assert AuditEntry.objects.about(nine_of_ten).filter(action="objection_lodged").exists()
    # The statement stays valid while the objection is open.
    nine_of_ten.certificate.refresh_from_db()
    assert not nine_of_ten.certificate.is_revoked


def test_an_objection_after_the_period_is_refused(nine_of_ten, settings):
    settings.OBJECTION_PERIOD_DAYS = 14
    Assessment.objects.filter(pk=nine_of_ten.pk).update(decided_at=timezone.now() - timedelta(days=15))
    nine_of_ten.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        lodge(nine_of_ten)
    assert error.value.code == "period_over"
    assert not Objection.objects.exists()


def test_a_second_objection_is_refused(nine_of_ten):
    lodge(nine_of_ten)
    with pytest.raises(ValidationError) as error:
        lodge(nine_of_ten, reason="Again")
    assert error.value.code == "second_objection"
    assert Objection.objects.count() == 1


def test_an_objection_needs_a_reason_and_disputes_only_competencies_not_proven(nine_of_ten):
    with pytest.raises(ValidationError) as error:
        lodge(nine_of_ten, reason="  ")
    assert codes(error.value) == {"no_reason"}
    with pytest.raises(ValidationError) as error:
        lodge(nine_of_ten, orders=(3,))
    assert codes(error.value) == {"not_disputable"}
    assert not Objection.objects.exists()


def test_only_the_candidate_objects_and_only_to_a_not_certified_decision(nine_of_ten, assessment, qualification):
    with pytest.raises(ValidationError) as error:
        services.objection_lodge(
            actor=nine_of_ten.first_assessor,
            assessment=nine_of_ten,
            reason="x",
            competencies=list(qualification.competencies.filter(order=10)),
        )
    assert error.value.code == "not_candidate"
    from .. import factories

    certified = flows.certify(factories.AssessmentFactory(qualification=qualification))
    with pytest.raises(ValidationError) as error:
        services.objection_lodge(
            actor=certified.candidate,
            assessment=certified,
            reason="x",
            competencies=list(qualification.competencies.filter(order=10)),
        )
    assert error.value.code == "not_objectable"


def test_rejection_needs_a_reason_and_is_final(nine_of_ten, administrator):
    objection = lodge(nine_of_ten)
    with pytest.raises(ValidationError) as error:
        services.objection_decide(actor=administrator, objection=objection, upheld=False, reason="")
    assert codes(error.value) == {"no_reason"}
    services.objection_decide(actor=administrator, objection=objection, upheld=False, reason="Procedure followed.")
    objection.refresh_from_db()
    assert objection.status == "rejected" and objection.outcome_reason == "Procedure followed."
    assert AuditEntry.objects.about(nine_of_ten).get(action="objection_decided").summary == "rejected"
    with pytest.raises(ValidationError) as error:
        services.objection_decide(actor=administrator, objection=objection, upheld=False, reason="Again")
    assert error.value.code == "decided"


def test_upheld_schedules_a_new_assessment_of_the_disputed_competencies(nine_of_ten, third_assessor, fourth_assessor):
    objection = uphold(lodge(nine_of_ten), third_assessor, fourth_assessor)
    new = objection.new_assessment
    assert objection.status == "upheld"
    assert new.previous == nine_of_ten and new.assessor_ids == (third_assessor.pk, fourth_assessor.pk)
    flows.start(new)
    assert sorted(set(Judgement.objects.filter(sheet__assessment=new).values_list("competency__order", flat=True))) == [
        10
    ]


def test_upheld_objection_proving_the_disputed_competency_certifies(nine_of_ten, third_assessor, fourth_assessor):
    new = uphold(lodge(nine_of_ten), third_assessor, fourth_assessor).new_assessment
    flows.started_and_ended(new)
    flows.judge(new, third_assessor)
    flows.judge(new, fourth_assessor)
    new.refresh_from_db()
    assert new.status == "certified" and new.certificate.kind == "certificate"


def test_upheld_needs_assessors_who_did_not_take_part(nine_of_ten, third_assessor):
    objection = lodge(nine_of_ten)
    with pytest.raises(ValidationError) as error:
        uphold(objection, nine_of_ten.first_assessor, third_assessor)
    assert codes(error.value) == {"took_part"}
    objection.refresh_from_db()
    assert objection.is_open and not Assessment.objects.filter(previous=nine_of_ten).exists()


def test_no_reassessment_while_an_objection_is_open(nine_of_ten, administrator):
    from .conftest import reassess

    lodge(nine_of_ten)
    with pytest.raises(ValidationError) as error:
        reassess(nine_of_ten, administrator)
    assert error.value.code == "objection_open"


def test_candidate_lodges_through_the_page_and_sees_a_late_refusal(client, nine_of_ten, candidate):
    client.force_login(candidate)
    tenth = nine_of_ten.qualification.competencies.get(order=10)
    page = client.get(f"/assessments/{nine_of_ten.pk}/").content.decode()
    assert f"/assessments/{nine_of_ten.pk}/objection/" in page
    response = client.post(f"/assessments/{nine_of_ten.pk}/objection/", {"competencies": [tenth.pk], "reason": "R"})
    assert response.status_code == 302
    response = client.post(f"/assessments/{nine_of_ten.pk}/objection/", {"competencies": [tenth.pk], "reason": "R"})
    assert "An objection against this decision was already lodged." in response.content.decode()
    assert Objection.objects.count() == 1


def test_status_is_visible_to_all_three_roles(client, nine_of_ten, candidate, assessor, administrator):
    lodge(nine_of_ten)
    for user in (candidate, assessor, administrator):
        client.force_login(user)
        page = client.get(f"/assessments/{nine_of_ten.pk}/").content.decode()
        assert "Objection" in page and "Open" in page, user
    assert "Decide on the objection" in page


def test_assessors_see_the_outcome_but_not_its_reason(
    client, nine_of_ten, candidate, assessor, second_assessor, administrator
):
    """The reasons (the candidate's and the administrator's) are for the candidate and the test
    centre; the assessors of the disputed assessment see the status and the disputed competencies."""
    objection = lodge(nine_of_ten, reason="The observation was cut short.")
    services.objection_decide(
        actor=administrator, objection=objection, upheld=False, reason="The recording shows a complete session."
    )
    for user in (assessor, second_assessor):
        client.force_login(user)
        page = client.get(f"/assessments/{nine_of_ten.pk}/").content.decode()
        assert "Rejected" in page and "Disputed competencies" in page, user
        assert "The recording shows a complete session." not in page, user
        assert "The observation was cut short." not in page, user
    for user in (candidate, administrator):
        client.force_login(user)
        page = client.get(f"/assessments/{nine_of_ten.pk}/").content.decode()
        assert "The recording shows a complete session." in page, user
        assert "The observation was cut short." in page, user


def test_administrator_upholds_through_the_page(client, nine_of_ten, administrator, third_assessor, fourth_assessor):
    lodge(nine_of_ten)
    client.force_login(administrator)
    response = client.post(f"/assessments/{nine_of_ten.pk}/objection/decide/", {"outcome": "upheld"})
    assert "Choose the assessors and the date of the new assessment." in response.content.decode()
    response = client.post(
        f"/assessments/{nine_of_ten.pk}/objection/decide/",
        {
            "outcome": "upheld",
            "outcome_reason": "Noise",
            "first_assessor": third_assessor.email,
            "second_assessor": fourth_assessor.email,
            "scheduled_at": "2030-02-01T10:00",
            "location": "Room 1",
        },
    )
    assert response.status_code == 302
    assert Objection.objects.get().status == "upheld"


def test_an_assessor_of_the_new_assessment_does_not_see_the_disputed_one(
    client, nine_of_ten, third_assessor, fourth_assessor
):
    new = uphold(lodge(nine_of_ten), third_assessor, fourth_assessor).new_assessment
    client.force_login(third_assessor)
    assert client.get(f"/assessments/{new.pk}/").status_code == 200
    assert client.get(f"/assessments/{nine_of_ten.pk}/").status_code == 404
    page = client.get(f"/assessments/{new.pk}/").content.decode()
    assert f'href="/assessments/{nine_of_ten.pk}/"' not in page


def test_the_new_assessment_is_not_scheduled_in_the_past(nine_of_ten, third_assessor, fourth_assessor):
    objection = lodge(nine_of_ten)
    with breaks_rule("in_the_past", "scheduled_at"):
        services.objection_decide(
            actor=_admin(),
            objection=objection,
            upheld=True,
            reason="Noise",
            first_assessor=third_assessor,
            second_assessor=fourth_assessor,
            scheduled_at=timezone.now() - timedelta(days=1),
        )
    objection.refresh_from_db()
    assert objection.is_open and not Assessment.objects.filter(previous=nine_of_ten).exists()


@pytest.mark.parametrize("seat", ["first_assessor", "second_assessor"])
def test_the_new_assessments_assessors_cannot_change_to_one_who_took_part(
    nine_of_ten, third_assessor, fourth_assessor, seat
):
    new = uphold(lodge(nine_of_ten), third_assessor, fourth_assessor).new_assessment
    chosen = {"first_assessor": third_assessor, "second_assessor": fourth_assessor, seat: nine_of_ten.first_assessor}
    with breaks_rule("took_part", seat):
        services.assessment_assign_assessors(actor=_admin(), assessment=new, **chosen)
    new.refresh_from_db()
    assert new.assessor_ids == (third_assessor.pk, fourth_assessor.pk)


def test_the_assessors_page_refuses_one_who_took_part(client, nine_of_ten, third_assessor, fourth_assessor):
    new = uphold(lodge(nine_of_ten), third_assessor, fourth_assessor).new_assessment
    client.force_login(_admin())
    response = client.post(
        f"/assessments/{new.pk}/assessors/",
        {"first_assessor": nine_of_ten.second_assessor.email, "second_assessor": fourth_assessor.email},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["first_assessor"] == [
        "The new assessment needs assessors who did not take part in the disputed one."
    ]
    new.refresh_from_db()
    assert new.assessor_ids == (third_assessor.pk, fourth_assessor.pk)


def test_other_assessors_of_the_new_assessment_can_be_chosen(nine_of_ten, third_assessor, fourth_assessor):
    from ..factories import AssessorFactory

    new = uphold(lodge(nine_of_ten), third_assessor, fourth_assessor).new_assessment
    other = AssessorFactory()
    services.assessment_assign_assessors(
        actor=_admin(), assessment=new, first_assessor=other, second_assessor=fourth_assessor
    )
    new.refresh_from_db()
    assert new.assessor_ids == (other.pk, fourth_assessor.pk)


def test_the_dashboard_shows_and_filters_objections(client, nine_of_ten, administrator, qualification):
    from .. import factories

    other = flows.decide(factories.AssessmentFactory(qualification=qualification), not_proven={10})
    quiet = factories.AssessmentFactory(qualification=qualification)
    lodge(nine_of_ten)
    decided = lodge(other)
    services.objection_decide(actor=administrator, objection=decided, upheld=False, reason="The decision stands.")
    client.force_login(administrator)

    def listed(query: str) -> set[int]:
        return {a.pk for a in client.get(f"/assessments/?at=first&{query}").context["page"].object_list}

    assert listed("objection=open") == {nine_of_ten.pk}
    assert listed("objection=rejected") == {other.pk}
    assert listed("objection=upheld") == set()
    assert listed("objection=any") == {nine_of_ten.pk, other.pk}
    assert quiet.pk in listed("")
    page = client.get("/assessments/?at=first").content.decode()
    assert page.count('data-objection="open"') == 1 and page.count('data-objection="rejected"') == 1
    assert "Objection open" in page and "Objection rejected" in page


def test_the_decision_form_names_the_disputed_competencies(client, nine_of_ten, administrator):
    lodge(nine_of_ten, orders=(10,))
    client.force_login(administrator)
    page = client.get(f"/assessments/{nine_of_ten.pk}/objection/decide/").content.decode()
    disputed = nine_of_ten.qualification.competencies.get(order=10)
    assert "Disputed competencies" in page and f"10. {disputed.text}" in page
    assert "The observation was cut short." in page


def test_an_open_objection_reads_as_a_status_in_french_not_as_the_button(client, nine_of_ten, administrator):
    lodge(nine_of_ten)
    administrator.preferred_language = "fr"
    administrator.save()
    client.force_login(administrator)
    client.cookies["django_language"] = "fr"
    detail = client.get(f"/assessments/{nine_of_ten.pk}/").content.decode()
    assert ">En cours</span>" in detail and ">Ouvrir</span>" not in detail
    assert "Recours en cours" in client.get("/assessments/?at=first").content.decode()
