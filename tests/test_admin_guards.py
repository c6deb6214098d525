"""The Django admin changes nothing a service guards (docs/decisions/0010-security-hardening.md).

Every model registered in the admin is in one of the tables below; a model registered later fails
``test_every_admin_model_is_decided`` until someone decides what the admin may do with it. Each
test signs in as a superuser and posts the admin's own forms, as a browser would.
"""

from datetime import timedelta
from html.parser import HTMLParser

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth.models import Group, Permission
from django.forms.models import model_to_dict
from django.urls import reverse
from django.utils import timezone

from accounts.models import OidcIdentity, User
from assessments import services
from assessments.models import Assessment, PortfolioItem, ScoreSheet
from audit.models import AuditEntry
from certificates.models import Certificate, IssuingCentre
from notifications.models import Notification
from qualifications.models import Competency, PartialQualification, Qualification

from . import factories, flows, samples

pytestmark = pytest.mark.django_db

# Records of the procedure: written only by the services (with their audit entries and
# notifications); the admin shows them and changes, adds and deletes nothing.
VIEW_ONLY = {
    Assessment,
    PortfolioItem,
    ScoreSheet,
    Certificate,
    Notification,
    AuditEntry,
    Qualification,
    Competency,
    PartialQualification,
}
# django-axes' records of sign-in failures: every field read-only; deleting an attempt releases
# a lock (docs/deploy.md).
READ_ONLY_FIELDS = {AccessAttempt, AccessLog, AccessFailureLog}
# Links made by a sign-in with the provider: shown and removed, never added or changed (0034).
REMOVABLE = {OidcIdentity}
# Edited in the admin. Every field of the change form is either guarded (a test below shows the
# admin cannot change it, or changes it only by its rule) or free (no rule reads it).
EDITABLE = {
    User: {
        "guarded": {
            "role",
            "is_superuser",
            "is_staff",
            "groups",
            "user_permissions",
            "email",
            "last_login",
            "date_joined",
        },
        "free": {
            "password",
            "first_name",
            "last_name",
            "date_of_birth",
            "preferred_language",
            "is_active",
            "password1",  # the add form's password, twice
            "password2",
        },
    },
    IssuingCentre: {
        "guarded": {"name", "address", "recognition_number", "is_current", "version", "entered_at", "history"},
        "free": set(),
    },
    Group: {"guarded": set(), "free": {"name", "permissions"}},
}


class FormValues(HTMLParser):
    """The values a browser would send with one form of a page."""

    def __init__(self, form_id: str):
        super().__init__()
        self.form_id, self.inside, self.values = form_id, False, {}
        self.select = self.textarea = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.inside = attrs.get("id") == self.form_id
        if not self.inside or "disabled" in attrs:
            return
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in ("submit", "file", "button"):
            if attrs.get("type") not in ("checkbox", "radio") or "checked" in attrs:
                self.values.setdefault(name, []).append(attrs.get("value") or ("on" if "checked" in attrs else ""))
        elif tag == "select":
            self.select = name
        elif tag == "option" and self.select and "selected" in attrs:
            self.values.setdefault(self.select, []).append(attrs.get("value", ""))
        elif tag == "textarea":
            self.textarea = name
            self.values[name] = [""]

    def handle_data(self, data):
        if self.textarea:
            self.values[self.textarea][0] += data.removeprefix("\n") if not self.values[self.textarea][0] else data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea":
            self.textarea = None


def form_values(html: str, form_id: str) -> dict[str, list[str]]:
    parser = FormValues(form_id)
    parser.feed(html)
    return parser.values


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def post_change(client, obj, **changes):
    """The admin's change form of ``obj`` as shown, with ``changes`` typed in, saved."""
    url = admin_url(type(obj), "change", obj.pk)
    page = client.get(url)
    assert page.status_code == 200
    data = form_values(page.content.decode(), f"{obj._meta.model_name}_form")
    data.update({name: value if isinstance(value, list) else [value] for name, value in changes.items()})
    data.pop("_continue", None), data.pop("_addanother", None)
    return client.post(url, {**data, "_save": "Save"})


def post_add(client, model, **values):
    url = admin_url(model, "add")
    data = form_values(client.get(url).content.decode(), f"{model._meta.model_name}_form")
    data.update({name: value if isinstance(value, list) else [value] for name, value in values.items()})
    return client.post(url, {**data, "_save": "Save"})


def stored(obj) -> dict:
    """Every column and many-to-many link of ``obj`` as the database holds it now."""
    fresh = type(obj)._base_manager.get(pk=obj.pk)
    values = model_to_dict(fresh, fields=[f.name for f in fresh._meta.get_fields() if f.concrete])
    return {name: list(v) if hasattr(v, "__iter__") and not isinstance(v, str) else v for name, v in values.items()}


def saved(response) -> bool:
    """The admin accepted the form (it redirects after saving); a re-shown form is a refusal."""
    return response.status_code == 302


@pytest.fixture
def superuser(client):
    user = factories.AdministratorFactory(first_name="Root", last_name="Admin", is_superuser=True)
    client.force_login(user)
    return user


@pytest.fixture
def decided(assessment, candidate):
    """A decided assessment with a portfolio item, score sheets, a statement, notifications and audit entries."""
    services.portfolio_item_add(
        actor=candidate,
        assessment=assessment,
        upload=samples.pdf(),
        description="CV",
        competencies=[assessment.qualification.competencies.first()],
    )
    return flows.decide(assessment, not_proven={10})


@pytest.fixture
def other_decided(qualification, other_candidate, assessor, second_assessor):
    other = factories.AssessmentFactory(
        qualification=qualification,
        candidate=other_candidate,
        first_assessor=assessor,
        second_assessor=second_assessor,
    )
    return flows.decide(other, not_proven={10})


def test_every_admin_model_is_decided():
    tables = [VIEW_ONLY, READ_ONLY_FIELDS, REMOVABLE, set(EDITABLE)]
    assert set(admin.site._registry) == set().union(*tables)
    assert sum(len(table) for table in tables) == len(admin.site._registry)  # each in one table


def form_fields(rf, superuser, model, obj) -> set[str]:
    """The fields of the admin's add form (``obj`` None) or change form."""
    request = rf.get("/")
    request.user = superuser
    return set(flatten_fieldsets(admin.site._registry[model].get_fieldsets(request, obj)))


@pytest.mark.parametrize("model", list(EDITABLE), ids=lambda m: m._meta.label)
def test_every_field_of_an_editable_admin_is_decided(rf, superuser, model):
    obj = {User: superuser, IssuingCentre: IssuingCentre.objects.first(), Group: Group(name="g")}[model]
    spec = EDITABLE[model]
    shown = form_fields(rf, superuser, model, obj) | form_fields(rf, superuser, model, None)
    assert shown == spec["guarded"] | spec["free"]
    assert {(model, name) for name in spec["guarded"]} <= set(GUARD_CASES)


# What a superuser might type into the change form of a view-only model.
def assessment_attack(obj, other):
    past = timezone.localtime(timezone.now() - timedelta(days=30))
    return {
        "scheduled_at_0": past.date().isoformat(),
        "scheduled_at_1": past.strftime("%H:%M:%S"),
        "location": "Elsewhere",
        "cancellation_reason": "Typed in the admin",
        "previous": str(other.pk),
        "status": "cancelled",
    }


def certificate_attack(obj, other):
    return {"competencies": [str(c.pk) for c in obj.assessment.qualification.competencies.all()], "status": "revoked"}


def qualification_attack(obj, other):
    return {"code": "9999", "title_en": "Renamed", "max_assessment_hours": "60"}


def competency_attack(obj, other):
    return {"code": "X", "text_en": "Rewritten", "qualification": str(obj.qualification_id)}


def partial_qualification_attack(obj, other):
    return {
        "code": "X",
        "title_en": "Renamed",
        "competencies": [str(c.pk) for c in obj.qualification.competencies.all()],
    }


ATTACKS = {
    Assessment: assessment_attack,
    Certificate: certificate_attack,
    Qualification: qualification_attack,
    Competency: competency_attack,
    PartialQualification: partial_qualification_attack,
}


def one_of(model, decided):
    if model is Assessment:
        return decided
    if model is AuditEntry:
        return AuditEntry.objects.about(decided).first()
    if model is PartialQualification:  # qualification 0213 defines none
        return factories.PartialQualificationFactory(qualification=decided.qualification, competencies={1, 2})
    return model._base_manager.first()


@pytest.mark.parametrize("model", sorted(VIEW_ONLY, key=lambda m: m._meta.label), ids=lambda m: m._meta.label)
def test_a_view_only_model_is_shown_and_never_changed_added_or_deleted(
    client, superuser, decided, other_decided, model
):
    obj = one_of(model, decided)
    assert obj is not None
    before = stored(obj)
    assert client.get(admin_url(model, "changelist")).status_code == 200  # shown
    assert client.get(admin_url(model, "change", obj.pk)).status_code == 200
    attack = ATTACKS.get(model, lambda obj, other: {})(obj, other_decided)
    assert post_change(client, obj, **attack).status_code == 403
    assert stored(obj) == before
    assert client.get(admin_url(model, "add")).status_code == 403
    assert client.post(admin_url(model, "delete", obj.pk), {"post": "yes"}).status_code == 403
    assert model._base_manager.filter(pk=obj.pk).exists()


def test_a_provider_link_is_shown_and_removed_but_never_added_or_changed(client, superuser, candidate):
    identity = OidcIdentity.objects.create(
        issuer="https://idp.example.org", subject="s-1", user=candidate, last_used_at=timezone.now()
    )
    client.force_login(superuser)
    assert client.get(admin_url(OidcIdentity, "changelist")).status_code == 200
    assert post_change(client, identity, subject="s-2").status_code == 403
    assert client.get(admin_url(OidcIdentity, "add")).status_code == 403
    assert OidcIdentity.objects.get(pk=identity.pk).subject == "s-1"
    client.post(admin_url(OidcIdentity, "delete", identity.pk), {"post": "yes"})
    assert not OidcIdentity.objects.exists()


def test_another_candidates_assessment_cannot_be_linked_into_a_chain(client, superuser, decided, other_decided):
    """The attack that broke a decision: the other candidate's assessment linked as a follow-up."""
    post_change(client, other_decided, previous=str(decided.pk))
    other_decided.refresh_from_db()
    assert other_decided.previous_id is None
    assert not Assessment.objects.filter(previous=decided).exists()


@pytest.mark.parametrize("model", sorted(READ_ONLY_FIELDS, key=lambda m: m._meta.label), ids=lambda m: m._meta.label)
def test_sign_in_records_are_read_only(client, superuser, model):
    counts = {"failures_since_start": 3} if model is AccessAttempt else {}
    record = model.objects.create(
        username="someone@example.org",
        ip_address="192.0.2.1",
        user_agent="test",
        http_accept="*/*",
        path_info="/",
        **counts,
    )
    before = stored(record)
    response = post_change(
        client, record, username="other@example.org", ip_address="192.0.2.9", failures_since_start="0"
    )
    assert saved(response)
    assert stored(record) == before


# One case per guarded field of an editable admin.
GUARD_CASES = {}


def guards(model, field):
    def register(case):
        GUARD_CASES[(model, field)] = case
        return case

    return register


@guards(User, "role")
def role_is_kept(client, superuser, decided):
    """An account keeps the role it was created with: the role decides what it sees and which
    part it may take. The admin adds administrators only (candidates and assessors are created on
    the People pages, with their invitation), and the addition is audited."""
    candidate = decided.candidate
    assert saved(post_change(client, candidate, role="administrator"))
    candidate.refresh_from_db()
    assert candidate.role == User.Role.CANDIDATE
    response = post_add(
        client,
        User,
        email="New.Admin@Example.org",
        first_name="New",
        last_name="Admin",
        role="candidate",
        password1="a-long-admin-passphrase",
        password2="a-long-admin-passphrase",
        usable_password="true",
    )
    assert saved(response)
    added = User.objects.get(email="new.admin@example.org")
    assert added.role == User.Role.ADMINISTRATOR
    assert AuditEntry.objects.about(added).filter(action="account_created", actor=superuser).exists()


@guards(User, "is_superuser")
def only_administrators_are_superusers(client, superuser, decided):
    """A superuser is an administrator: on a candidate or assessor account it would be a role change."""
    for person in (decided.candidate, decided.first_assessor):
        assert saved(post_change(client, person, is_superuser="on"))
        person.refresh_from_db()
        assert not person.is_superuser and not person.is_administrator
    administrator = factories.AdministratorFactory()
    assert saved(post_change(client, administrator, is_superuser="on"))
    administrator.refresh_from_db()
    assert administrator.is_superuser


@guards(User, "is_staff")
@guards(User, "groups")
@guards(User, "user_permissions")
def only_administrators_get_admin_access(client, superuser, decided):
    """Admin access on a candidate's or assessor's account is a change of role: with "change
    account" a candidate could reset an administrator's password."""
    change_account = Permission.objects.get(codename="change_user")
    group = Group.objects.create(name="Desk")
    for person in (decided.candidate, decided.first_assessor):
        assert saved(
            post_change(
                client, person, is_staff="on", groups=[str(group.pk)], user_permissions=[str(change_account.pk)]
            )
        )
        person.refresh_from_db()
        assert not person.is_staff and not person.groups.exists() and not person.user_permissions.exists()
    administrator = factories.AdministratorFactory(is_staff=False)
    assert saved(post_change(client, administrator, is_staff="on", groups=[str(group.pk)]))
    administrator.refresh_from_db()
    assert administrator.is_staff and list(administrator.groups.all()) == [group]


@guards(User, "email")
def an_email_address_is_saved_in_its_one_spelling(client, superuser, decided):
    candidate = decided.candidate
    assert saved(post_change(client, candidate, email="  Chris.New@Example.ORG "))
    candidate.refresh_from_db()
    assert candidate.email == candidate.username == "chris.new@example.org"
    response = post_change(client, candidate, email=decided.first_assessor.email.upper())
    assert not saved(response) and "already exists" in response.content.decode()


@guards(User, "last_login")
def the_last_sign_in_is_a_record(client, superuser, decided):
    _record_is_kept(client, decided.candidate, "last_login")


@guards(User, "date_joined")
def the_date_joined_is_a_record(client, superuser, decided):
    _record_is_kept(client, decided.candidate, "date_joined")


def _record_is_kept(client, person, field):
    before = getattr(person, field)
    assert saved(post_change(client, person, **{f"{field}_0": "2001-01-01", f"{field}_1": "10:00:00"}))
    person.refresh_from_db()
    assert getattr(person, field) == before


@guards(IssuingCentre, "name")
@guards(IssuingCentre, "address")
@guards(IssuingCentre, "recognition_number")
def an_edit_of_the_issuing_centre_makes_a_new_version(client, superuser, decided):
    """Each document keeps the version of the centre that issued it: an edit makes the next
    version, which becomes current, and leaves the version replaced as it was, shown only."""
    centre = decided.certificate.issuing_centre
    before = stored(centre)
    changes = {"name": "Another Centre", "address": "Nieuwstraat 1\r\n1000 Brussel", "recognition_number": "TC-9999"}
    response = post_change(client, centre, **changes)
    assert saved(response)
    revised = IssuingCentre.objects.current()
    assert response["Location"].endswith(admin_url(IssuingCentre, "changelist"))
    assert (revised.name, revised.address_lines, revised.recognition_number) == (
        "Another Centre",
        ["Nieuwstraat 1", "1000 Brussel"],
        "TC-9999",
    )
    assert (revised.version, revised.previous) == (2, centre)
    assert stored(centre) == {**before, "is_current": False}
    decided.certificate.refresh_from_db()
    assert decided.certificate.issuing_centre == centre
    assert post_change(client, revised, address="Nieuwstraat 1\r\n1000 Brussel").status_code == 302
    assert IssuingCentre.objects.count() == 2  # saved unchanged: no new version
    assert client.post(admin_url(IssuingCentre, "change", centre.pk), changes).status_code == 403
    assert client.get(admin_url(IssuingCentre, "change", centre.pk)).status_code == 200  # shown


@guards(IssuingCentre, "is_current")
@guards(IssuingCentre, "version")
@guards(IssuingCentre, "entered_at")
@guards(IssuingCentre, "history")
def the_versions_of_the_issuing_centre_are_records(client, superuser, decided):
    """Which version is current, its number, its date and the history follow from the edits; the
    admin neither types them nor adds a second centre, nor deletes one."""
    centre = IssuingCentre.objects.current()
    before = stored(centre)
    assert saved(post_change(client, centre, is_current=[], version="9", entered_at="2001-01-01", history="x"))
    assert stored(centre) == before and IssuingCentre.objects.count() == 1
    values = {"name": "Second", "address": "B", "recognition_number": "TC-2"}
    assert client.post(admin_url(IssuingCentre, "add"), values).status_code == 403
    assert client.post(admin_url(IssuingCentre, "delete", centre.pk), {"post": "yes"}).status_code == 403
    assert IssuingCentre.objects.get() == centre


@pytest.mark.parametrize("model,field", list(GUARD_CASES), ids=lambda v: getattr(v, "__name__", v))
def test_the_admin_changes_a_guarded_field_only_by_its_rule(client, superuser, decided, model, field):
    GUARD_CASES[(model, field)](client, superuser, decided)


def test_free_fields_are_editable(client, superuser, decided):
    """The posted forms work: what no rule reads is saved as typed (so the refusals above are real)."""
    candidate = decided.candidate
    assert saved(post_change(client, candidate, first_name="Christa", date_of_birth="1990-02-03", is_active=[]))
    candidate.refresh_from_db()
    assert (candidate.first_name, str(candidate.date_of_birth), candidate.is_active) == ("Christa", "1990-02-03", False)
    group = Group.objects.create(name="Readers")
    permission = Permission.objects.get(codename="view_assessment")
    assert saved(post_change(client, group, name="Viewers", permissions=[str(permission.pk)]))
    group.refresh_from_db()
    assert group.name == "Viewers" and list(group.permissions.all()) == [permission]
