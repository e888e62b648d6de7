from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.forms import UserChangeForm, UserCreationForm
from accounts.models import User
from session_security.registry import revocation
from session_security.state import state_of


@admin.action(description="Sign the selected users out everywhere")
def sign_out_everywhere(modeladmin, request, queryset):
    now = state_of(request).now
    for user in queryset:
        revocation.sign_out_everywhere(user, "ended_by_admin", now)
    modeladmin.message_user(
        request, f"{queryset.count()} user(s) signed out everywhere.", messages.SUCCESS
    )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    actions = [sign_out_everywhere]
    add_form = UserCreationForm
    form = UserChangeForm
