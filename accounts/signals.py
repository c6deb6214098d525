"""Account events that layers above accounts (the audit trail) record.

Sent inside the transaction of the change, so a receiver's writes land or roll back with it.
"""

from django.dispatch import Signal

# kwargs: account (the new User), created_by (the administrator)
account_created = Signal()
