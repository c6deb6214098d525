"""Reads of accounts."""

from django.db.models import QuerySet

from .models import User
from .services import ROLES_CREATED_IN_PORTAL


def people() -> QuerySet[User]:
    """The candidates and assessors administrators manage on the People page."""
    return User.objects.filter(role__in=ROLES_CREATED_IN_PORTAL).order_by("role", "last_name", "first_name")
