from django.contrib import admin

from assessments.models import Evidence


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    """Read-only: evidence is added by agencies on their sheet, files are downloaded through the checked view."""

    list_display = ["__str__", "kind", "assessment", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["kind"]
    search_fields = ["original_name", "doc_number", "doc_summary", "assessment__agency__name"]
    list_select_related = ["assessment__agency", "assessment__period", "uploaded_by"]
    exclude = ["file"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
