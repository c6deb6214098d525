"""Account events that layers above accounts record or act on.

Sent inside the transaction of the change, so a receiver's writes land or roll back with it.
The e-mails they ask for are sent by the notifications pipeline (stored in the transaction,
queued on commit, claimed and sent by the worker); accounts only builds their text (``emails``).
"""

from django.dispatch import Signal

# kwargs: account (the new User), created_by (the administrator)
account_created = Signal()
# kwargs: accounts (the Users to invite; one signal for a whole import)
invitations_requested = Signal()
# kwargs: account (the User who asked for a password reset link)
password_reset_requested = Signal()
# kwargs: account, changed_by, changes ({field: (before, after)}, only what changed)
account_updated = Signal()
# kwargs: account, changed_by; ``account.is_active`` says which way
account_activity_changed = Signal()
# kwargs: account, issuer, linked (True at the first sign-in, when the identity was linked)
oidc_signed_in = Signal()
# kwargs: account (the account concerned, or None when none matched), issuer, reason (a code)
oidc_sign_in_refused = Signal()
