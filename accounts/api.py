"""What the other apps may use of ``accounts`` besides ``accounts.models`` (the ``User`` every app
names) and ``accounts.signals`` (to record or act on account events); nothing else of this app.
See docs/decisions/0029."""

from .access import administrator_required
from .emails import invitation_message, password_reset_message
from .forms import AccountField, AccountsLookedUpTogether
from .selectors import people, people_matching
from .services import account_create, candidate_full_name
from .sign_in import client_address, client_network

__all__ = [
    "AccountField",
    "AccountsLookedUpTogether",
    "account_create",
    "administrator_required",
    "candidate_full_name",
    "client_address",
    "client_network",
    "invitation_message",
    "password_reset_message",
    "people",
    "people_matching",
]
