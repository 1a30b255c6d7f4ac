from django import forms
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm, UserCreationForm

from accounts import services
from accounts.models import ApiToken, Notification, Team, User


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "created_at"]
    list_filter = ["kind"]
    search_fields = ["name"]


# A ModelForm itself (not a bare mixin) so that clean() and add_error() are known; both
# forms it is mixed into are ModelForms, so the method resolution order is unchanged.
class RoleFitsTeamMixin(forms.ModelForm):
    def clean(self):
        # ModelForm.clean() returns self.cleaned_data (its type says it may return None).
        super().clean()
        cleaned_data = self.cleaned_data
        role, team = cleaned_data.get("role"), cleaned_data.get("team")
        if role and (mismatch := services.role_team_mismatch(role, team)):
            self.add_error("team", mismatch)
        return cleaned_data


class UserAdminChangeForm(RoleFitsTeamMixin, UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User


class UserAdminCreationForm(RoleFitsTeamMixin, UserCreationForm):
    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "role", "team")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    list_display = [
        "username",
        "get_full_name",
        "email",
        "role",
        "team",
        "is_available",
        "is_active",
    ]
    list_filter = ["role", "team", "is_available", "is_active", "is_service_account"]
    fieldsets = (
        # Django's UserAdmin always defines them; the type says they may be None.
        *(DjangoUserAdmin.fieldsets or ()),
        ("Smarketing", {"fields": ("role", "team", "is_available", "is_service_account")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        ("Smarketing", {"fields": ("role", "team")}),
    )

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # After the admin saved the groups from the form: keep the role's group in step
        # with the role field, whatever was ticked.
        services.user_set_role(user=form.instance, role=form.instance.role, team=form.instance.team)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "prefix",
        "user",
        "scopes",
        "created_at",
        "expires_at",
        "revoked_at",
        "last_used_at",
    ]
    list_filter = ["revoked_at"]
    search_fields = ["name", "prefix", "user__username"]
    readonly_fields = ["prefix", "key_hash", "created_at", "last_used_at"]

    def has_add_permission(self, request):
        # A token's secret is shown once at creation; that happens on the tokens page
        # or with `manage.py create_api_token`, never in a form that cannot show it.
        return False


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ["recipient", "kind", "message", "created_at", "read_at"]
    list_filter = ["kind", "read_at"]
    search_fields = ["recipient__username", "message"]
    list_select_related = ["recipient"]
    readonly_fields = ["recipient", "kind", "message", "url", "dedupe_key", "created_at"]

    def has_add_permission(self, request):
        return False  # notifications are sent by the product, never typed in
