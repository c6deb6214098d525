"""A qualification is data: loaded from fixtures, never written in code.

Qualification → competencies (basic or specific activities) → indicators, plus the descriptor
elements (knowledge, skills, context, autonomy, responsibility, attestations), the partial
qualifications that group some of its competencies, and the fixed texts of its Europass
certificate supplement. Every text exists in French (the source), Dutch and English.
"""

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.signals import m2m_changed
from django.dispatch import receiver
from django.utils.translation import gettext_lazy as _

from .translation import Translated


class Qualification(models.Model):
    code = models.CharField(_("code"), max_length=20, unique=True)
    flemish_level = models.PositiveSmallIntegerField(_("Flemish qualification level"))
    eqf_level = models.PositiveSmallIntegerField(_("EQF level"))
    year = models.PositiveSmallIntegerField(_("year"))
    max_assessment_hours = models.PositiveSmallIntegerField(_("maximum duration of the assessment (hours)"), default=6)
    prior_learning_share = models.PositiveSmallIntegerField(_("share of validation of prior learning (%)"), default=100)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_nl = models.CharField(_("title (Dutch)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    definition_fr = models.TextField(_("definition (French)"))
    definition_nl = models.TextField(_("definition (Dutch)"))
    definition_en = models.TextField(_("definition (English)"))
    legal_basis_fr = models.TextField(_("legal basis (French)"))
    legal_basis_nl = models.TextField(_("legal basis (Dutch)"))
    legal_basis_en = models.TextField(_("legal basis (English)"))

    title = Translated()
    definition = Translated()
    legal_basis = Translated()

    class Meta:
        ordering = ["code"]
        verbose_name = _("qualification")
        verbose_name_plural = _("qualifications")

    def __str__(self) -> str:
        return f"{self.code} {self.title}"

    def natural_key(self) -> tuple[str]:
        return (self.code,)


class TextInThreeLanguages(models.Model):
    """A text of the standard: French is the source, Dutch and English are translations."""

    text_fr = models.TextField(_("text (French)"))
    text_nl = models.TextField(_("text (Dutch)"))
    text_en = models.TextField(_("text (English)"))

    text = Translated()

    class Meta:
        abstract = True


class Competency(TextInThreeLanguages):
    class Category(models.TextChoices):
        BASIC = "basic", _("Basic activities")
        SPECIFIC = "specific", _("Specific activities")

    qualification = models.ForeignKey(Qualification, on_delete=models.PROTECT, related_name="competencies")
    category = models.CharField(_("category"), max_length=10, choices=Category.choices)
    code = models.CharField(_("official code"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        ordering = ["qualification", "order"]
        verbose_name = _("competency")
        verbose_name_plural = _("competencies")
        constraints = [
            models.UniqueConstraint(fields=["qualification", "order"], name="competency_order_unique"),
            models.UniqueConstraint(fields=["qualification", "code"], name="competency_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.order}. {self.text} ({self.code})"


class Indicator(TextInThreeLanguages):
    competency = models.ForeignKey(Competency, on_delete=models.PROTECT, related_name="indicators")
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        ordering = ["competency__order", "order"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")
        constraints = [
            models.UniqueConstraint(fields=["competency", "order"], name="indicator_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.competency.order}.{self.order} {self.text}"


class Proof(models.TextChoices):
    """The proofs an EVC procedure ends in (decree of 26 April 2019), stored as a certificate's
    kind. Which one a decision issues is ``qualifications.selectors.proof_due``."""

    CERTIFICATE = "certificate", _("Proof of professional qualification")
    PARTIAL = "partial", _("Proof of partial qualification")
    STATEMENT = "statement", _("Proof of competencies")


class PartialQualification(models.Model):
    """A *deelkwalificatie*: competencies of the qualification that are recognised together.

    Under the EVC decree of 26 April 2019 a candidate who proves every competency of a partial
    qualification, but not the whole qualification, receives a proof of partial qualification
    (docs/decisions/0015-partial-qualifications.md). Its competencies belong to its qualification
    (checked whenever they are set, a fixture's loading included).
    """

    qualification = models.ForeignKey(Qualification, on_delete=models.PROTECT, related_name="partial_qualifications")
    code = models.CharField(_("code"), max_length=40)
    order = models.PositiveSmallIntegerField(_("order"))
    title_fr = models.CharField(_("title (French)"), max_length=300)
    title_nl = models.CharField(_("title (Dutch)"), max_length=300)
    title_en = models.CharField(_("title (English)"), max_length=300)
    competencies = models.ManyToManyField(
        Competency, related_name="partial_qualifications", verbose_name=_("competencies")
    )

    title = Translated()

    class Meta:
        ordering = ["qualification", "order"]
        verbose_name = _("partial qualification")
        verbose_name_plural = _("partial qualifications")
        constraints = [
            models.UniqueConstraint(fields=["qualification", "order"], name="partial_qualification_order_unique"),
            models.UniqueConstraint(fields=["qualification", "code"], name="partial_qualification_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title}"


@receiver(m2m_changed, sender=PartialQualification.competencies.through)
def _competencies_of_its_qualification(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """A partial qualification groups competencies of its own qualification only."""
    if action != "pre_add" or not pk_set:
        return
    foreign: models.QuerySet[Any]
    if reverse:  # competency.partial_qualifications.add(...)
        foreign = PartialQualification.objects.filter(pk__in=pk_set).exclude(qualification=instance.qualification_id)
    else:
        foreign = Competency.objects.filter(pk__in=pk_set).exclude(qualification=instance.qualification_id)
    if foreign.exists():
        raise ValidationError(
            _("A partial qualification groups competencies of its own qualification only."),
            code="competency_of_another_qualification",
        )


class DescriptorElement(TextInThreeLanguages):
    """One item of the descriptor lists of section 2.2 and 2.3 of the standard."""

    class Kind(models.TextChoices):
        KNOWLEDGE = "knowledge", _("Knowledge")
        COGNITIVE_SKILL = "cognitive_skill", _("Cognitive skills")
        PROBLEM_SOLVING_SKILL = "problem_solving_skill", _("Problem-solving skills")
        MOTOR_SKILL = "motor_skill", _("Motor skills")
        ENVIRONMENT_CONTEXT = "environment_context", _("Environment context")
        ACTION_CONTEXT = "action_context", _("Action context")
        AUTONOMY = "autonomy", _("Is autonomous in")
        BOUND_BY = "bound_by", _("Is bound by")
        CALLS_ON = "calls_on", _("Calls on")
        RESPONSIBILITY = "responsibility", _("Responsibility")
        LEGAL_ATTESTATION = "legal_attestation", _("Legal attestations")
        REQUIRED_ATTESTATION = "required_attestation", _("Required attestations")
        ENTRY_REQUIREMENT = "entry_requirement", _("Entry requirements")

    qualification = models.ForeignKey(Qualification, on_delete=models.PROTECT, related_name="descriptor_elements")
    kind = models.CharField(_("kind"), max_length=30, choices=Kind.choices)
    order = models.PositiveSmallIntegerField(_("order"))

    class Meta:
        ordering = ["qualification", "kind", "order"]
        verbose_name = _("descriptor element")
        verbose_name_plural = _("descriptor elements")
        constraints = [
            models.UniqueConstraint(fields=["qualification", "kind", "order"], name="descriptor_order_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.order}: {self.text}"


class SupplementText(TextInThreeLanguages):
    """A fixed text of the qualification's Europass certificate supplement.

    The legal bases are texts of the qualification too (``legal_basis``: the act under which the
    certificate is issued; ``recognition_basis``; ``competencies_statement_basis``), since they
    differ from one qualification to another and must be printed in three languages.
    """

    class Key(models.TextChoices):
        CERTIFICATE_TITLE = "certificate_title", _("Title of the certificate")
        TRANSLATION_DISCLAIMER = "translation_disclaimer", _("Translation disclaimer")
        TRANSLATION_NOTICE = "translation_notice", _("Notice on a translated column")
        SKILLS_INTRODUCTION = "skills_introduction", _("Introduction to the profile of skills")
        OCCUPATIONS = "occupations", _("Range of occupations")
        AWARDING_BODY = "awarding_body", _("Awarding body")
        ACCREDITING_AUTHORITY = "accrediting_authority", _("Accrediting authority")
        LEVEL = "level", _("Level of the certificate")
        GRADING = "grading", _("Grading scale / pass requirements")
        NEXT_LEVEL_ACCESS = "next_level_access", _("Access to the next level of education or training")
        INTERNATIONAL_AGREEMENTS = "international_agreements", _("International agreements")
        LEGAL_BASIS = "legal_basis", _("Legal basis")
        RECOGNITION_BASIS = "recognition_basis", _("Recognition of the qualification")
        COMPETENCIES_STATEMENT_BASIS = "competencies_statement_basis", _("Legal basis of a statement of competencies")
        ACCESS_ROUTE = "access_route", _("Way of acquiring the certificate")
        ADDITIONAL_INFORMATION = "additional_information", _("Additional information")
        FURTHER_INFORMATION = "further_information", _("Further information")
        NATIONAL_REFERENCE_POINT = "national_reference_point", _("National reference point")
        EXPLANATORY_NOTE = "explanatory_note", _("Explanatory note")

    qualification = models.ForeignKey(Qualification, on_delete=models.PROTECT, related_name="supplement_texts")
    key = models.CharField(_("key"), max_length=40, choices=Key.choices)

    class Meta:
        ordering = ["qualification", "key"]
        verbose_name = _("supplement text")
        verbose_name_plural = _("supplement texts")
        constraints = [
            models.UniqueConstraint(fields=["qualification", "key"], name="supplement_text_key_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.qualification.code} {self.get_key_display()}"
