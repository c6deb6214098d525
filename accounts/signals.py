"""Account events that layers above accounts (the audit trail) record.

Sent inside the transaction of the change, so a receiver's writes land or roll back with it.
"""

from django.dispatch import Signal

# kwargs: account (the new User), created_by (the administrator)
account_created = Signal()
# kwargs: account, changed_by, changes ({field: (before, after)}, only what changed)
account_updated = Signal()
# kwargs: account, changed_by; ``account.is_active`` says which way
account_activity_changed = Signal()
