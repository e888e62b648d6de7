from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from accounts.forms import UserChangeForm, UserCreationForm
from accounts.models import User
from session_security.registry import revocation


@admin.action(description="Sign the selected users out everywhere")
def sign_out_everywhere(modeladmin, request, queryset):
    for user in queryset:
        revocation.sign_out_everywhere(user, "ended_by_admin")
    modeladmin.message_user(
        request, f"{queryset.count()} user(s) signed out everywhere.", messages.SUCCESS
    )


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    actions = [sign_out_everywhere]
    add_form = UserCreationForm
    form = UserChangeForm
