"""What the apps below ``certificates`` may call: the decision issues a certificate through here,
and scheduling an assessment checks that its candidate can hold one (a first and last name).

``assessments`` must not import ``certificates`` otherwise (an import-linter contract checks it);
see docs/decisions/0001-architecture.md.
"""

from .services import certificate_issue, holder_name

__all__ = ["certificate_issue", "holder_name"]
