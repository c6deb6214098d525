"""A key acts for its administrator: once they are deactivated or demoted, their keys are
revoked for good, so a reactivation does not bring them back (``services.api_keys_revoke_of``)."""

from django.db.models.signals import post_save
from django.dispatch import receiver

from accounts.models import User
from accounts.signals import account_activity_changed

from .services import api_keys_revoke_of

# The fields whose change can end an account's administration (the Django admin saves them all).
ACCESS_FIELDS = {"is_active", "role", "is_superuser"}


@receiver(post_save, sender=User)
def revoke_keys_of_a_former_administrator(sender, *, instance, created, update_fields=None, **kwargs) -> None:
    if created or (update_fields is not None and not ACCESS_FIELDS & set(update_fields)):
        return
    api_keys_revoke_of(owner=instance)


@receiver(account_activity_changed)
def revoke_keys_of_a_deactivated_account(sender, *, account, **kwargs) -> None:
    api_keys_revoke_of(owner=account)
