"""Dutch and French pages and e-mails hold no interface string in another language and no raw internal value:
every page of the permission matrix, as the people allowed to see it, in both languages."""

import re
from html import unescape

import pytest
from django.utils import translation

from audit.models import AuditEntry

from .assessments.test_permissions import ADMINISTRATOR, EVERYONE, PUBLIC, VIEWS, world  # noqa: F401
from .test_translations import entries

# Raw values the services store or the models choose from, which a reader should never see.
RAW_VALUES = re.compile(r"\b(not_certified|certified|upheld|rejected|reconciliation|registered|scoring)\b")
# English words that no Dutch or French text holds: they find a string never put in the catalogue.
ENGLISH_WORDS = re.compile(r"\b(the|and|with|your|this|which|been|should|Clear|Search|Download|Save)\b")
# Words that read the same in English and in the other language, or are names.
SAME_IN_BOTH = {"Status", "Portfolio", "Assessor", "Audit trail", "E-mail", "CSV", "Excel (.xlsx)"}


def foreign_strings(language: str) -> list[str]:
    """The catalogue's strings of three words or more in English and in the portal's other
    language, where they differ from this language's: none belongs on its pages."""
    other = {"nl": "fr", "fr": "nl"}[language]
    own = {msgid: translations[0] for _block, msgid, translations in entries(language) if translations}
    found = []
    for _block, msgid, translations in entries(other):
        if "%" in msgid or "{" in msgid or "<" in msgid or len(msgid.split()) < 3 or msgid in SAME_IN_BOTH:
            continue
        mine = own.get(msgid, "")
        found += [text for text in (msgid, translations[0] if translations else "") if text and text != mine]
    return found


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    attributes = " ".join(re.findall(r'(?:title|aria-label|placeholder|alt|data-confirm(?:-yes|-no)?)="([^"]*)"', html))
    text = re.sub(r"<[^>]+>", " ", html) + " " + attributes
    return re.sub(r"\s+", " ", unescape(text))


def pages_for(users, ids):
    for name, method, url, allowed in VIEWS:
        if (
            method != "get"
            or url.endswith((".csv", ".xlsx", ".zip", "/download/", "/proof/", ".jwt", ".json", ".png", ".svg"))
            or "search" in url
        ):
            continue
        who = next(person for person in EVERYONE if person in allowed)
        yield name, url.format(**ids), users[who]
    for name, url in PUBLIC:
        if "credentials" not in url and not url.endswith((".png", ".svg")):
            yield name, url.format(**ids), None


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["nl", "fr"])
def test_no_english_and_no_raw_value_on_any_page(client, world, language):  # noqa: F811
    users, ids = world
    AuditEntry.objects.create(action="decision", summary="not_certified")  # as the services store it
    foreign = foreign_strings(language)
    problems = []
    for name, url, person in pages_for(users, ids):
        client.logout()
        if person is not None:
            person.preferred_language = language
            person.save(update_fields=["preferred_language"])
            client.force_login(person)
        client.cookies["django_language"] = language
        response = client.get(url, follow=True)  # a step no longer open leads to the page that says why
        assert response.status_code == 200, (name, url, response.status_code)
        text = visible_text(response.content.decode())
        problems += [f"{name} {url}: not in {language}: “{string}”" for string in foreign if string in text]
        problems += [f"{name} {url}: raw value “{value}”" for value in set(RAW_VALUES.findall(text))]
        problems += [f"{name} {url}: English “{word}”" for word in set(ENGLISH_WORDS.findall(text))]
    translation.activate("en")
    assert not problems, "\n".join(problems)


# Every e-mail the portal sends, with the detail the services store for it.
EMAILS = [
    ("scheduled", ""),
    ("rescheduled", ""),
    ("cancelled", ""),
    ("sheet_waiting", ""),
    ("reconciliation", ""),
    ("decided", "certified"),
    ("decided", "not_certified"),
    ("document_ready", "0213-2026-000001"),
    ("document_revoked", "0213-C-2026-000001"),
    ("objection_lodged", ""),
    ("objection_decided", "upheld"),
    ("objection_decided", "rejected"),
    ("reminder_week", "2026-12-11T09:00Z"),
    ("reminder_day", "2026-12-11T09:00Z"),
    ("invitation", ""),
    ("password_reset", ""),
    ("job_done", "1"),  # the job's id
    ("job_failed", "1"),
]


@pytest.mark.django_db
@pytest.mark.parametrize("language", ["nl", "fr"])
def test_no_english_and_no_raw_value_in_any_e_mail(language):
    from notifications.models import Notification
    from notifications.services import _message

    from . import factories

    assessment = factories.AssessmentFactory(location="Gent")
    person = assessment.candidate
    person.preferred_language = language
    person.save(update_fields=["preferred_language"])
    foreign = foreign_strings(language)
    assert {event for event, _detail in EMAILS} == set(Notification.Event.values), "an e-mail is not checked"
    problems = []
    for event, detail in EMAILS:
        notification = Notification.objects.create(
            recipient=person,
            event=event,
            detail=detail,
            assessment=None if event in ("invitation", "password_reset", "job_done", "job_failed") else assessment,
        )
        message = _message(notification)
        text = f"{message.subject}\n{message.body}"
        problems += [f"{event}: not in {language}: “{string}”" for string in foreign if string in text]
        problems += [f"{event}: raw value “{value}”" for value in set(RAW_VALUES.findall(text))]
        problems += [f"{event}: English “{word}”" for word in set(ENGLISH_WORDS.findall(text))]
    translation.activate("en")
    assert not problems, "\n".join(problems)
