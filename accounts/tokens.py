"""The links e-mailed to set a password: an invitation's lives INVITATION_TIMEOUT, a password
reset's PASSWORD_RESET_TIMEOUT (much shorter: anyone can ask for one). Each kind of link is
signed with its own salt, so one kind is never accepted as the other."""

from django.conf import settings
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.utils.crypto import constant_time_compare
from django.utils.http import base36_to_int


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "accounts.tokens.InvitationTokenGenerator"

    def check_token(self, user, token) -> bool:
        """Django's check (signed for this account, no password set since), with the invitation's
        own lifetime: Django's reads PASSWORD_RESET_TIMEOUT."""
        if not (user and token):
            return False
        try:
            issued = base36_to_int(token.split("-")[0])
        except ValueError:
            return False
        if self._num_seconds(self._now()) - issued > settings.INVITATION_TIMEOUT:
            return False
        return any(
            constant_time_compare(self._make_token_with_timestamp(user, issued, secret), token)
            for secret in [self.secret, *self.secret_fallbacks]
        )


invitation_tokens = InvitationTokenGenerator()
