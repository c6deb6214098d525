"""Steps of the procedure, sent by the services inside their transaction.

Apps above ``assessments`` listen (``notifications`` tells the people concerned); the services
know nothing of them. A receiver that needs to act after the commit uses ``transaction.on_commit``.
"""

from django.dispatch import Signal

assessment_scheduled = Signal()  # assessment
assessment_rescheduled = Signal()  # assessment (its new time and place)
assessment_cancelled = Signal()  # assessment
scoring_opened = Signal()  # assessment: each assessor has a score sheet waiting
reconciliation_needed = Signal()  # assessment
assessment_decided = Signal()  # assessment
objection_lodged = Signal()  # objection
objection_decided = Signal()  # objection
