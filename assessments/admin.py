from django.contrib import admin

from parindex.admin import ReadOnlyAdmin, ReadOnlyInline

from .models import Assessment, Period, PeriodIndexSet, Transition


class PeriodIndexSetInline(ReadOnlyInline):
    model = PeriodIndexSet


@admin.register(Period)
class PeriodAdmin(ReadOnlyAdmin):
    """Created, changed and opened under Kỳ đánh giá (period_save, period_open)."""

    list_display = ["name", "year", "state", "self_assessment_deadline"]
    list_filter = ["state", "year"]
    inlines = [PeriodIndexSetInline]


class TransitionInline(ReadOnlyInline):
    model = Transition
    fields = ["action", "from_state", "to_state", "by", "at", "note"]


@admin.register(Assessment)
class AssessmentAdmin(ReadOnlyAdmin):
    """Scores, submissions and extensions happen on the sheet and the progress page, which record them."""

    list_display = ["agency", "period", "state", "submitted_at", "deadline_extended_to"]
    list_filter = ["period", "state", "agency__kind"]
    search_fields = ["agency__name"]
    list_select_related = ["agency", "period"]
    inlines = [TransitionInline]
