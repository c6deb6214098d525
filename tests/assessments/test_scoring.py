"""Rule 3: blind double scoring. Each assessor scores alone; a submitted sheet is locked."""

import pytest
from django.core.exceptions import ValidationError

from assessments import services
from assessments.models import IndicatorNote, Judgement, Observation, PortfolioItem, ScoreSheet
from assessments.services import JudgementEntry
from audit.models import AuditEntry

from .. import factories, flows, samples

pytestmark = pytest.mark.django_db


@pytest.fixture
def scoring(assessment):
    flows.start(assessment)
    assessment.refresh_from_db()
    return assessment


def form_data(assessment, *, proven="yes", justification="", note=None, only=None):
    data = {}
    for competency in assessment.qualification.competencies.prefetch_related("indicators"):
        if only and competency.order not in only:
            continue
        data[f"c{competency.pk}-proven"] = proven
        data[f"c{competency.pk}-justification"] = justification
        if note:
            data[f"c{competency.pk}-note-{competency.indicators.first().pk}"] = note
    return data


def sheet_url(assessment):
    return f"/assessments/{assessment.pk}/score-sheet/"


def test_assessor_saves_a_draft_with_notes_per_indicator(client, scoring):
    client.force_login(scoring.first_assessor)
    response = client.post(sheet_url(scoring), {**form_data(scoring, note="Greets clearly"), "save": ""})
    assert response.status_code == 302
    sheet = flows.sheet_of(scoring, scoring.first_assessor)
    assert sheet.status == ScoreSheet.Status.DRAFT
    assert sheet.judgements.filter(proven=True).count() == 10
    assert IndicatorNote.objects.filter(judgement__sheet=sheet, note="Greets clearly").count() == 10
    assert AuditEntry.objects.filter(action="judgement_changed", actor=scoring.first_assessor).count() == 10


def test_saving_again_updates_notes_instead_of_duplicating(client, scoring):
    client.force_login(scoring.first_assessor)
    client.post(sheet_url(scoring), {**form_data(scoring, note="first"), "save": ""})
    client.post(sheet_url(scoring), {**form_data(scoring, note="second"), "save": ""})
    notes = IndicatorNote.objects.filter(judgement__sheet__assessor=scoring.first_assessor)
    assert notes.count() == 10 and set(notes.values_list("note", flat=True)) == {"second"}


def test_not_proven_needs_a_justification(client, scoring):
    flows.end(scoring)
    client.force_login(scoring.first_assessor)
    response = client.post(sheet_url(scoring), {**form_data(scoring, proven="no"), "submit": ""})
    assert response.status_code == 200
    assert "A justification is required" in response.content.decode()
    assert flows.sheet_of(scoring, scoring.first_assessor).status == ScoreSheet.Status.DRAFT


def test_every_competency_must_be_judged_before_submitting(client, scoring):
    flows.end(scoring)
    client.force_login(scoring.first_assessor)
    response = client.post(sheet_url(scoring), {**form_data(scoring, only={1, 2}), "submit": ""})
    assert "Judge this competency before submitting" in response.content.decode()
    assert not Judgement.objects.filter(proven__isnull=False).exists()


def test_service_also_refuses_an_incomplete_submission(scoring):
    flows.end(scoring)
    sheet = flows.sheet_of(scoring, scoring.first_assessor)
    with pytest.raises(ValidationError, match="Judge every competency"):
        services.score_sheet_save(actor=scoring.first_assessor, sheet=sheet, entries=[], submit=True)


def test_submitting_needs_the_end_of_the_assessment(scoring):
    with pytest.raises(ValidationError, match="Record the end"):
        flows.judge(scoring, scoring.first_assessor)
    assert flows.sheet_of(scoring, scoring.first_assessor).status == ScoreSheet.Status.DRAFT
    assert not Judgement.objects.filter(proven__isnull=False).exists()  # nothing half-written


def test_a_submitted_sheet_is_locked(client, scoring):
    flows.end(scoring)
    flows.judge(scoring, scoring.first_assessor)
    with pytest.raises(ValidationError, match="locked"):
        flows.judge(scoring, scoring.first_assessor, not_proven={1})
    client.force_login(scoring.first_assessor)
    response = client.post(sheet_url(scoring), {**form_data(scoring, proven="no", justification="x"), "submit": ""})
    assert response.status_code == 302
    assert not Judgement.objects.filter(proven=False).exists()


def test_a_double_clicked_submit_changes_nothing_the_second_time(client, scoring):
    flows.end(scoring)
    client.force_login(scoring.first_assessor)
    data = {**form_data(scoring), "submit": ""}
    first, second = client.post(sheet_url(scoring), data), client.post(sheet_url(scoring), data, follow=True)
    assert first.status_code == 302
    assert "locked" in second.content.decode()
    assert AuditEntry.objects.filter(action="sheet_submitted").count() == 1


def test_the_other_assessors_sheet_stays_hidden_until_both_submitted(client, scoring):
    flows.end(scoring)
    flows.judge(scoring, scoring.first_assessor, not_proven={4}, justification="SECRET-FIRST-JUSTIFICATION")
    client.force_login(scoring.second_assessor)
    for url in (sheet_url(scoring), f"/assessments/{scoring.pk}/", f"/assessments/{scoring.pk}/reconciliation/"):
        page = client.get(url, follow=True).content.decode()
        assert "SECRET-FIRST-JUSTIFICATION" not in page
    flows.judge(scoring, scoring.second_assessor)
    page = client.get(f"/assessments/{scoring.pk}/reconciliation/").content.decode()
    assert "SECRET-FIRST-JUSTIFICATION" in page


def test_a_judgement_on_a_competency_of_another_qualification_is_refused(client, scoring):
    foreign = factories.QualificationFactory().competencies.first()
    client.force_login(scoring.first_assessor)
    data = {**form_data(scoring), f"c{foreign.pk}-proven": "no", "save": ""}
    response = client.post(sheet_url(scoring), data)
    assert response.status_code == 200
    assert "not part of this qualification" in response.content.decode()
    assert not Judgement.objects.filter(proven__isnull=False).exists()
    sheet = flows.sheet_of(scoring, scoring.first_assessor)
    with pytest.raises(ValidationError, match="not part of this qualification"):
        services.score_sheet_save(
            actor=scoring.first_assessor, sheet=sheet, entries=[JudgementEntry(competency_id=foreign.pk, proven=True)]
        )


def test_an_unassigned_assessor_cannot_score(client, scoring, outsider_assessor):
    client.force_login(outsider_assessor)
    assert client.get(sheet_url(scoring)).status_code == 404
    assert client.post(sheet_url(scoring), {**form_data(scoring), "save": ""}).status_code == 404
    sheet = flows.sheet_of(scoring, scoring.first_assessor)
    with pytest.raises(ValidationError, match="Only the assessor"):
        services.score_sheet_save(actor=outsider_assessor, sheet=sheet, entries=[])
    assert not Judgement.objects.filter(proven__isnull=False).exists()


def test_html_typed_into_notes_is_shown_as_text(client, scoring):
    client.force_login(scoring.first_assessor)
    client.post(sheet_url(scoring), {**form_data(scoring, note='<img src=x onerror="alert(1)">'), "save": ""})
    page = client.get(sheet_url(scoring)).content.decode()
    assert '<img src=x onerror="alert(1)">' not in page
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page


def test_assessor_adds_an_observation_file(client, scoring):
    competency = scoring.qualification.competencies.get(order=2)
    client.force_login(scoring.first_assessor)
    client.post(
        sheet_url(scoring), {**form_data(scoring), f"c{competency.pk}-observation": samples.pdf("obs.pdf"), "save": ""}
    )
    observation = Observation.objects.get()
    assert observation.judgement.competency == competency
    response = client.get(f"/assessments/{scoring.pk}/observations/{observation.pk}/download/")
    assert response.status_code == 200
    # Blind: the other assessor cannot open it before both sheets are in.
    client.force_login(scoring.second_assessor)
    assert client.get(f"/assessments/{scoring.pk}/observations/{observation.pk}/download/").status_code == 404


def test_a_disguised_observation_file_is_refused(client, scoring):
    competency = scoring.qualification.competencies.get(order=2)
    client.force_login(scoring.first_assessor)
    response = client.post(
        sheet_url(scoring),
        {
            **form_data(scoring),
            f"c{competency.pk}-observation": samples.upload("obs.pdf", samples.WINDOWS_EXECUTABLE),
            "save": "",
        },
    )
    assert response.status_code == 200
    assert "not a PDF" in response.content.decode()
    assert not Observation.objects.exists()
    assert not Judgement.objects.filter(proven__isnull=False).exists()


def test_the_portfolio_is_shown_beside_its_competency(client, scoring):
    competency = scoring.qualification.competencies.get(order=5)
    item = PortfolioItem.objects.create(
        assessment=scoring,
        description="Reference letter",
        original_name="letter.pdf",
        content_type="application/pdf",
        size=1,
        sha256="0" * 64,
        file="portfolio/x",
    )
    item.competencies.set([competency])
    client.force_login(scoring.first_assessor)
    page = client.get(sheet_url(scoring)).content.decode()
    block = page[page.index('id="competency-5"') : page.index('id="competency-6"')]
    assert "letter.pdf" in block and "Reference letter" in block


def test_a_change_of_notes_alone_is_audited(client, scoring):
    client.force_login(scoring.first_assessor)
    client.post(sheet_url(scoring), {**form_data(scoring, note="first"), "save": ""})
    before = AuditEntry.objects.filter(action="judgement_changed").count()
    client.post(sheet_url(scoring), {**form_data(scoring, note="first"), "save": ""})
    assert AuditEntry.objects.filter(action="judgement_changed").count() == before  # nothing changed
    client.post(sheet_url(scoring), {**form_data(scoring, note="second"), "save": ""})
    assert AuditEntry.objects.filter(action="judgement_changed").count() == before + 10


def test_downloading_an_observation_is_audited(client, scoring):
    competency = scoring.qualification.competencies.get(order=1)
    client.force_login(scoring.first_assessor)
    client.post(sheet_url(scoring), {**form_data(scoring), f"c{competency.pk}-observation": samples.pdf(), "save": ""})
    observation = Observation.objects.get()
    client.get(f"/assessments/{scoring.pk}/observations/{observation.pk}/download/")
    entry = AuditEntry.objects.get(action="file_downloaded")
    assert entry.actor == scoring.first_assessor and entry.data["observation_id"] == observation.pk
