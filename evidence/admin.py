from django.contrib import admin

from assessments.models import Evidence
from parindex.admin import ReadOnlyAdmin


@admin.register(Evidence)
class EvidenceAdmin(ReadOnlyAdmin):
    """Evidence is added and removed by agencies on their sheet (removing a row here would leave its file
    on disk); files are downloaded through the checked view."""

    list_display = ["__str__", "kind", "assessment", "size", "uploaded_by", "uploaded_at"]
    list_filter = ["kind"]
    search_fields = ["original_name", "doc_number", "doc_summary", "assessment__agency__name"]
    list_select_related = ["assessment__agency", "assessment__period", "uploaded_by"]
    exclude = ["file"]
