"""Session records in the admin: see who is signed in, end sessions (ASVS 7.4.5)."""

from django.contrib import admin, messages

from session_security.device_names import describe
from session_security.models import SessionRecord
from session_security.registry import revocation
from session_security.state import state_of


@admin.action(description="End the selected sessions")
def end_selected(modeladmin, request, queryset):
    now = state_of(request).now
    count = sum(revocation.end_session(record, "ended_by_admin", now) for record in queryset)
    modeladmin.message_user(request, f"{count} session(s) ended.", messages.SUCCESS)


@admin.register(SessionRecord)
class SessionRecordAdmin(admin.ModelAdmin):
    list_display = ["user", "device", "ip_address", "created_at", "last_seen_at", "ended_at"]
    list_filter = ["end_reason", "created_at"]
    search_fields = ["user__username", "ip_address"]
    list_select_related = ["user"]
    actions = [end_selected]
    readonly_fields = [field.name for field in SessionRecord._meta.fields]

    @admin.display(description="Device")
    def device(self, record):
        return describe(record.user_agent)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
