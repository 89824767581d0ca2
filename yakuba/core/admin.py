from typing import Any

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from yakuba.core.apiclients import token_hash, token_new
from yakuba.core.models import ApiClient, AuditEntry, ClosedDay, Municipality, StaffUser

admin.site.site_header = _("Yakuba 管理")
admin.site.site_title = _("Yakuba 管理")
admin.site.index_title = _("職員・権限・団体の設定")


@admin.register(Municipality)
class MunicipalityAdmin(admin.ModelAdmin):
    list_display = ("name", "lgcode", "mayor_name")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return not Municipality.objects.exists()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ClosedDay)
class ClosedDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "reason", "service")
    list_filter = ("kind", "service")
    date_hierarchy = "date"


@admin.register(StaffUser)
class StaffUserAdmin(UserAdmin):
    list_display = ("username", "display_name", "department", "is_active", "is_staff")
    fieldsets = (
        *(UserAdmin.fieldsets or ()),
        (_("所属"), {"fields": ("display_name", "department")}),
    )


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("seq", "at", "actor", "action", "target_type", "target_id", "mynumber_shown")
    list_filter = ("action", "mynumber_shown")
    search_fields = ("actor", "target_id")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    list_display = ("name", "token_prefix", "scopes", "can_see_mynumber", "active")
    fields = ("name", "scopes", "can_see_mynumber", "active")

    def save_model(self, request: HttpRequest, obj: ApiClient, form: Any, change: bool) -> None:
        if not change:
            token = token_new()
            obj.token_hash = token_hash(token)
            obj.token_prefix = token[:8]
            messages.warning(request, _("APIトークン（この画面でのみ表示）: %(token)s") % {"token": token})
        super().save_model(request, obj, form, change)
