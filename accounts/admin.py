from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group

from portal.admin import ParsedIdsMixin

from . import services
from .forms import AdminSignInForm
from .models import OidcIdentity, User

# The Django admin's sign-in counts failures with the portal's (one lock per account and address).
admin.site.login_form = AdminSignInForm


@admin.register(User)
class AccountAdmin(ParsedIdsMixin, UserAdmin):
    """Accounts: names, date of birth, language, access. The role is chosen when an account is
    created and then kept: it decides what the account sees and which part of an assessment it
    may take (checked when people are scheduled), so a person who needs another role gets
    another account. The admin adds administrators only; candidates and assessors are created on
    the People pages, with their invitation."""

    list_display = ["email", "first_name", "last_name", "role", "is_active"]
    list_filter = ["role", "is_active", "is_staff"]
    search_fields = ["email", "first_name", "last_name"]
    ordering = ["last_name", "first_name"]
    fieldsets = [
        (None, {"fields": ["email", "password"]}),
        ("Personal", {"fields": ["first_name", "last_name", "date_of_birth", "preferred_language"]}),
        ("Role", {"fields": ["role", "is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        ("Dates", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"fields": ["email", "first_name", "last_name", "password1", "password2"]})]
    readonly_fields = ["last_login", "date_joined"]  # records of the account, not typed

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return super().get_readonly_fields(request, obj)
        kept = ["role"]
        if obj.role != User.Role.ADMINISTRATOR:
            # Access to the admin is an administrator's: given to a candidate or an assessor, any
            # of these is a change of role (with "change account", one could reset an
            # administrator's password).
            kept += ["is_staff", "is_superuser", "groups", "user_permissions"]
        return [*super().get_readonly_fields(request, obj), *kept]

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
        else:
            services.administrator_create(created_by=request.user, account=obj)


admin.site.unregister(Group)


@admin.register(Group)
class AccountGroupAdmin(ParsedIdsMixin, GroupAdmin):
    pass


@admin.register(OidcIdentity)
class OidcIdentityAdmin(ParsedIdsMixin, admin.ModelAdmin):
    """The links between accounts and the provider's subjects: shown, never typed (only a sign-in
    makes one), and removed when a person's identity at the provider changed, so that their next
    sign-in links the account again by its verified e-mail address (docs/decisions/0034)."""

    list_display = ["user", "issuer", "created_at", "last_used_at"]
    search_fields = ["user__email", "user__last_name"]
    list_select_related = ["user"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
