from django.contrib import admin

from parindex.admin import ReadOnlyAdmin

from .models import Agency, RoleAssignment


@admin.register(Agency)
class AgencyAdmin(ReadOnlyAdmin):
    """Changed under Quản trị → Cơ quan (agency_save checks mergers)."""

    list_display = ["name", "short_name", "kind", "is_active", "merged_into", "merged_on"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "short_name"]


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(ReadOnlyAdmin):
    """Changed under Quản trị → Người dùng (user_save keeps each user's roles valid)."""

    list_display = ["user", "role", "agency"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "agency__name"]
    list_select_related = ["user", "agency"]
