"""What the holder shows elsewhere: a proof added to a LinkedIn profile (decision 0022).

A link, never a request: the portal sends LinkedIn nothing. The holder follows the link, signed in
to LinkedIn, and LinkedIn's form opens filled in with what the link carries. The parameters are
LinkedIn's "Add to Profile" for certifications (https://addtoprofile.linkedin.com/), as Open edX
builds them (``LinkedInAddToProfileConfiguration.add_to_profile_url``).
"""

from urllib.parse import urlencode

from django.utils import timezone

from .models import Certificate

LINKEDIN_ADD_TO_PROFILE = "https://www.linkedin.com/profile/add"


def linkedin_add_url(certificate: Certificate) -> str:
    """The link that adds the proof to the holder's LinkedIn profile: its name (the kind of proof
    and the qualification, in the active language), the issuing centre as issued, the month of
    issue, the number and the verification link."""
    qualification = certificate.assessment.qualification
    issued = timezone.localtime(certificate.issued_at)
    parameters = {
        "startTask": "CERTIFICATION_NAME",
        "name": f"{certificate.get_kind_display()} — {qualification.title} ({qualification.code})",
        "organizationName": certificate.issuing_centre.name,
        "issueYear": issued.year,
        "issueMonth": issued.month,
        "certUrl": certificate.verification_url,
        "certId": certificate.number,
    }
    return f"{LINKEDIN_ADD_TO_PROFILE}?{urlencode(parameters)}"
