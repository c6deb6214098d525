"""Test data. The real qualification 0213 comes from its fixture; everything else from here."""

import uuid
from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import User
from assessments.models import Assessment
from certificates.models import IssuingCentre
from qualifications.models import Competency, Indicator, PartialQualification, Qualification


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    role = User.Role.CANDIDATE
    password = factory.PostGenerationMethodCall("set_password", "correct horse battery")

    @factory.post_generation
    def saved(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CandidateFactory(UserFactory):
    role = User.Role.CANDIDATE


class AssessorFactory(UserFactory):
    role = User.Role.ASSESSOR


class AdministratorFactory(UserFactory):
    role = User.Role.ADMINISTRATOR
    is_staff = True


class QualificationFactory(factory.django.DjangoModelFactory):
    """A small synthetic qualification, for tests that vary the size of the standard."""

    class Meta:
        model = Qualification
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"9{n:03d}")
    flemish_level = 3
    eqf_level = 3
    year = 2016
    title_fr = title_nl = title_en = factory.Sequence(lambda n: f"Test qualification {n}")
    definition_fr = definition_nl = definition_en = "Definition."
    legal_basis_fr = legal_basis_nl = legal_basis_en = "Legal basis."

    @factory.post_generation
    def competencies(obj, create, extracted, **kwargs):
        count, indicators = extracted if extracted else (3, 2)
        for order in range(1, count + 1):
            competency = Competency.objects.create(
                qualification=obj,
                category=Competency.Category.BASIC,
                code=f"T{obj.code}-{order}",
                order=order,
                text_fr=f"Compétence {order}",
                text_nl=f"Competentie {order}",
                text_en=f"Competency {order}",
            )
            Indicator.objects.bulk_create(
                Indicator(
                    competency=competency,
                    order=i,
                    text_fr=f"Indicateur {order}.{i}",
                    text_nl=f"Indicator {order}.{i}",
                    text_en=f"Indicator {order}.{i}",
                )
                for i in range(1, indicators + 1)
            )


class PartialQualificationFactory(factory.django.DjangoModelFactory):
    """A partial qualification of a qualification: ``competencies`` are the orders it groups."""

    class Meta:
        model = PartialQualification
        skip_postgeneration_save = True

    qualification = factory.SubFactory(QualificationFactory)
    order = factory.Sequence(lambda n: n + 1)
    code = factory.LazyAttribute(lambda partial: f"{partial.qualification.code}-D{partial.order}")
    title_fr = factory.LazyAttribute(lambda partial: f"Qualification partielle {partial.order}")
    title_nl = factory.LazyAttribute(lambda partial: f"Deelkwalificatie {partial.order}")
    title_en = factory.LazyAttribute(lambda partial: f"Partial qualification {partial.order}")

    @factory.post_generation
    def competencies(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.competencies.set(obj.qualification.competencies.filter(order__in=extracted))


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment
        skip_postgeneration_save = True

    candidate = factory.SubFactory(CandidateFactory)
    qualification = factory.SubFactory(QualificationFactory)
    first_assessor = factory.SubFactory(AssessorFactory)
    second_assessor = factory.SubFactory(AssessorFactory)
    scheduled_at = factory.LazyFunction(lambda: timezone.now() + timedelta(hours=1))
    location = "Test centre"


class IssuingCentreFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = IssuingCentre

    name = "Testcentrum Contactcenter Vlaanderen"
    address = "Koning Albert II-laan 37\n1030 Brussel"
    recognition_number = "TC-0213-017"
    is_current = True


def sessions_on(day, count: int, *, location: str = "Test centre", per_slot: int = 3) -> list[Assessment]:
    """``count`` sessions of one day in one query, ``per_slot`` at each time (from eight o'clock,
    every two minutes): a busy test centre's day, with sessions at the same time to tell apart by id."""
    qualification = QualificationFactory()
    assessors = AssessorFactory.create_batch(2)
    stamp = uuid.uuid4().hex[:12]
    candidates = User.objects.bulk_create(
        User(email=f"day{n}-{stamp}@example.org", username=f"day{n}-{stamp}@example.org", last_name=f"Day{n:04d}")
        for n in range(count)
    )
    eight = timezone.make_aware(timezone.datetime.combine(day, timezone.datetime.min.time())) + timedelta(hours=8)
    return Assessment.objects.bulk_create(
        Assessment(
            candidate=candidate,
            qualification=qualification,
            first_assessor=assessors[0],
            second_assessor=assessors[1],
            scheduled_at=eight + timedelta(minutes=2 * (n // per_slot)),
            location=location,
        )
        for n, candidate in enumerate(candidates)
    )
