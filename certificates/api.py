"""What the apps below ``certificates`` may call: the decision issues its proof through here.

``assessments`` must not import ``certificates`` otherwise (an import-linter contract checks it);
see docs/decisions/0001-architecture.md.
"""

from .services import certificate_issue, partial_issue, statement_issue

__all__ = ["certificate_issue", "partial_issue", "statement_issue"]
