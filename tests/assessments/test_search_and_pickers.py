"""Search and filters of the administrator's lists, and the account pickers (issue 14, item 2)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from assessments.models import Assessment
from audit.services import audit_record
from certificates.models import Certificate

from .. import factories, flows

pytestmark = pytest.mark.django_db


def names(response) -> list[str]:
    return [a.candidate.last_name for a in response.context["page"].object_list]


def at(days: float, **fields) -> Assessment:
    return factories.AssessmentFactory(scheduled_at=timezone.now() + timedelta(days=days), **fields)


def test_the_dashboard_opens_on_the_sessions_nearest_to_today(client, administrator, qualification):
    for days, name in [(-400, "LastYear"), (-1, "Yesterday"), (0.01, "Today"), (2, "Soon"), (300, "Far")]:
        at(days, qualification=qualification, candidate=factories.CandidateFactory(last_name=name))
    client.force_login(administrator)
    page = client.get("/assessments/").context["page"]
    assert [a.candidate.last_name for a in page] == ["Today", "Soon", "Far"]
    earlier = client.get("/assessments/" + page.previous_url)
    assert names(earlier) == ["LastYear", "Yesterday"]
    assert names(client.get("/assessments/?at=first"))[0] == "LastYear"
    assert names(client.get("/assessments/?at=last"))[-1] == "Far"


def test_the_dashboard_pages_through_every_assessment_once(client, administrator, qualification):
    created = {at(days, qualification=qualification).pk for days in range(-30, 30)}
    client.force_login(administrator)
    page = client.get("/assessments/?at=first").context["page"]
    seen = [a.pk for a in page]
    while page.next_url:
        page = client.get("/assessments/" + page.next_url).context["page"]
        seen += [a.pk for a in page]
    assert len(seen) == len(created) and set(seen) == created
    back = client.get("/assessments/" + page.previous_url).context["page"]
    assert [a.pk for a in back] == seen[-40:-20]


def test_the_dashboard_searches_names_e_mail_addresses_and_certificate_numbers(client, administrator, assessment):
    other = at(
        5,
        qualification=assessment.qualification,
        candidate=factories.CandidateFactory(first_name="Zoë", last_name="Other", email="zoe@example.org"),
    )
    flows.certify(assessment)
    number = Certificate.objects.get(assessment=assessment).number
    client.force_login(administrator)
    last_name = assessment.candidate.last_name
    assert other.candidate.last_name not in names(client.get(f"/assessments/?search={last_name}&at=first"))
    assert names(client.get("/assessments/?search=zoe@&at=first")) == ["Other"]
    assert names(client.get("/assessments/?search=zo oth&at=first")) == ["Other"]
    assert names(client.get(f"/assessments/?search={number}&at=first")) == [last_name]
    assert names(client.get("/assessments/?search=nobody-like-this")) == []


def test_the_dashboard_finds_a_statement_by_its_number(client, administrator, assessment):
    decided = flows.decide(assessment, not_proven={1})
    number = decided.certificate.number
    assert "-C-" in number
    client.force_login(administrator)
    last_name = assessment.candidate.last_name
    assert names(client.get(f"/assessments/?search={number}&at=first")) == [last_name]
    assert names(client.get(f"/assessments/?search={number.lower()}&at=first")) == [last_name]
    assert names(client.get(f"/assessments/?search=%20{number}%20&at=first")) == [last_name]


def test_the_dashboard_filters_revoked_certificates_and_the_place(client, administrator, qualification):
    revoked, valid = (
        flows.certify(at(-3, qualification=qualification, location=place)) for place in ("Gent", "Brugge")
    )
    Certificate.objects.filter(assessment=revoked).update(status=Certificate.Status.REVOKED)
    client.force_login(administrator)
    assert [a.pk for a in client.get("/assessments/?status=revoked").context["page"]] == [revoked.pk]
    assert [a.pk for a in client.get("/assessments/?location=brugge").context["page"]] == [valid.pk]
    assert "Certificate revoked" in client.get("/assessments/").content.decode()


def test_the_date_filter_is_a_range_of_local_days(client, administrator, qualification):
    today = timezone.localdate()
    late_tonight = timezone.make_aware(timezone.datetime.combine(today, timezone.datetime.min.time())) + timedelta(
        hours=23, minutes=30
    )
    tonight = factories.AssessmentFactory(qualification=qualification, scheduled_at=late_tonight)
    factories.AssessmentFactory(qualification=qualification, scheduled_at=late_tonight + timedelta(hours=1))
    client.force_login(administrator)
    page = client.get(f"/assessments/?date_from={today}&date_to={today}").context["page"]
    assert [a.pk for a in page] == [tonight.pk]


def test_the_assessment_form_has_pickers_not_a_list_of_every_account(
    client, administrator, candidate, assessor, second_assessor, qualification
):
    client.force_login(administrator)
    page = client.get("/assessments/new/").content.decode()
    assert candidate.email not in page and assessor.email not in page
    assert 'data-account-picker="candidate"' in page and 'list="id_candidate-suggestions"' in page
    assert "<script>" not in page and "js/account-picker.js" in page
    response = client.post(
        "/assessments/new/",
        {
            "candidate": candidate.email.upper(),
            "qualification": qualification.pk,
            "first_assessor": f"{assessor.full_name} <{assessor.email}>",
            "second_assessor": second_assessor.email,
            "scheduled_at": (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 302
    assert Assessment.objects.get().assessor_ids == (assessor.pk, second_assessor.pk)


def test_the_assessment_form_names_unknown_people_and_wrong_roles(
    client, administrator, candidate, assessor, qualification
):
    client.force_login(administrator)
    data = {
        "candidate": candidate.email,
        "qualification": qualification.pk,
        "first_assessor": "nobody@example.org",
        "second_assessor": candidate.email,
        "scheduled_at": (timezone.localtime() + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
    }
    form = client.post("/assessments/new/", data).context["form"]
    assert form.errors["first_assessor"] == ["No account has this e-mail address."]
    form = client.post("/assessments/new/", {**data, "first_assessor": assessor.email}).context["form"]
    assert "cannot assess their own assessment" in str(form.errors)  # the service's rule
    assert not Assessment.objects.exists()


def test_the_account_search_suggests_people_as_one_types(client, administrator):
    for n in range(12):
        factories.CandidateFactory(first_name="Robin", last_name=f"Vermeulen{n:02d}", email=f"robin{n}@example.org")
    factories.AssessorFactory(first_name="Robin", last_name="Assessor", email="robin.assessor@example.org")
    client.force_login(administrator)
    results = client.get("/accounts/people/search/?role=candidate&search=verm").json()["results"]
    assert len(results) == 10
    assert results[0] == {"email": "robin0@example.org", "name": "Robin Vermeulen00"}
    assessors = client.get("/accounts/people/search/?role=assessor&search=robin").json()["results"]
    assert [r["email"] for r in assessors] == ["robin.assessor@example.org"]
    assert client.get("/accounts/people/search/?role=candidate&search=r").json()["results"] == []
    anybody = client.get("/accounts/people/search/?role=&search=robin.a").json()["results"]
    assert [r["email"] for r in anybody] == ["robin.assessor@example.org"]


def test_only_administrators_search_accounts(client, assessor, candidate):
    for user in (assessor, candidate):
        client.force_login(user)
        assert client.get("/accounts/people/search/?role=candidate&search=ab").status_code == 404
    client.logout()
    assert client.get("/accounts/people/search/?role=candidate&search=ab").status_code == 302


def test_people_search_and_role_filter(client, administrator):
    factories.CandidateFactory(first_name="Ines", last_name="Claes", email="ines@example.org")
    factories.AssessorFactory(first_name="Ines", last_name="Aerts", email="ines.aerts@example.org")
    client.force_login(administrator)
    found = client.get("/accounts/people/?search=ines").context["page"]
    assert [p.last_name for p in found] == ["Aerts", "Claes"]
    assert [p.last_name for p in client.get("/accounts/people/?search=ines&role=candidate").context["page"]] == [
        "Claes"
    ]


def test_people_pages_by_name(client, administrator):
    for n in range(60):
        factories.CandidateFactory(last_name=f"Person{n:02d}")
    client.force_login(administrator)
    first = client.get("/accounts/people/").context["page"]
    second = client.get("/accounts/people/" + first.next_url).context["page"]
    assert [p.last_name for p in first][:2] == ["Person00", "Person01"]
    assert [p.last_name for p in second] == [f"Person{n:02d}" for n in range(50, 60)]


def test_the_audit_trail_filters_by_action_person_date_and_text(client, administrator, assessment):
    flows.start(assessment, actor=assessment.first_assessor)
    client.force_login(administrator)

    def actions(query):
        return {e.action for e in client.get(f"/audit/?{query}").context["page"]}

    assert actions("action=assessment_started") == {"assessment_started"}
    assert actions(f"person={assessment.first_assessor.email}") == {"assessment_started"}
    today = timezone.localdate()
    assert "assessment_started" in actions(f"date_from={today}&date_to={today}")
    assert actions(f"date_to={today - timedelta(days=1)}") == set()
    assert actions(f"search={assessment.candidate.last_name}") >= {"assessment_started"}
    assert actions("search=no-such-text") == set()


def test_the_audit_trail_pages_newest_first(client, administrator, assessment):
    for n in range(60):
        audit_record(actor=administrator, action="decision", summary=f"entry {n:02d}", subject=assessment)
    client.force_login(administrator)
    first = client.get("/audit/?action=decision").context["page"]
    assert [e.summary for e in first][:2] == ["entry 59", "entry 58"]
    older = client.get("/audit/" + first.next_url).context["page"]
    assert [e.summary for e in older] == [f"entry {n:02d}" for n in range(9, -1, -1)]
    assert "action=decision" in first.next_url
