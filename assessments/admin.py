from django.contrib import admin, messages
from django.contrib.admin.options import ActionLocation
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from organisations.models import Agency

from .models import Assessment, Period, PeriodIndexSet, PeriodState, Transition


def _opened(period: Period | None) -> bool:
    return period is not None and period.state != PeriodState.SETUP


class PeriodIndexSetInline(admin.TabularInline):
    """Once a period is open its sets are frozen and its sheets exist: no change here either."""

    model = PeriodIndexSet
    extra = 0

    def has_add_permission(self, request: HttpRequest, obj: Period | None = None) -> bool:
        return not _opened(obj) and super().has_add_permission(request, obj)

    def has_change_permission(self, request: HttpRequest, obj: Period | None = None) -> bool:
        return not _opened(obj) and super().has_change_permission(request, obj)

    def has_delete_permission(self, request: HttpRequest, obj: Period | None = None) -> bool:
        return not _opened(obj) and super().has_delete_permission(request, obj)


@admin.register(Period)
class PeriodAdmin(admin.ModelAdmin):
    list_display = ["name", "year", "state", "self_assessment_deadline"]
    list_filter = ["state", "year"]
    inlines = [PeriodIndexSetInline]
    filter_horizontal = ["agencies"]
    readonly_fields = ["state", "opened_at"]
    actions = ["open_periods"]

    def has_delete_permission(self, request: HttpRequest, obj: Period | None = None) -> bool:
        # Deleting an open period would take every agency's sheet, scores and history with it.
        return not _opened(obj) and super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest, action_location: ActionLocation = ActionLocation.CHANGE_LIST) -> dict:
        # The bulk delete does not ask per period; a period being set up is deleted from its own page.
        actions = super().get_actions(request, action_location)
        actions.pop("delete_selected", None)
        return actions

    def get_readonly_fields(self, request: HttpRequest, obj: Period | None = None) -> list[str]:
        return [*self.readonly_fields, "agencies"] if _opened(obj) else list(self.readonly_fields)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "agencies":
            # Merged and abolished agencies keep their past years but take part in no new period.
            kwargs["queryset"] = Agency.objects.filter(is_active=True)
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    @admin.action(description=_("Mở kỳ đánh giá: khóa bộ chỉ số và tạo bản tự đánh giá cho các đơn vị"))
    def open_periods(self, request: HttpRequest, queryset: QuerySet[Period]) -> None:
        from .services import period_open

        for period in queryset:
            try:
                count = period_open(period=period)
            except ValidationError as exc:
                self.message_user(request, f"{period}: {' '.join(exc.messages)}", messages.ERROR)
            else:
                self.message_user(
                    request,
                    ngettext(
                        "%(period)s: đã tạo %(n)s bản tự đánh giá.", "%(period)s: đã tạo %(n)s bản tự đánh giá.", count
                    )
                    % {"period": period, "n": count},
                    messages.SUCCESS,
                )


class TransitionInline(admin.TabularInline):
    model = Transition
    extra = 0
    can_delete = False
    readonly_fields = ["action", "from_state", "to_state", "by", "at", "note"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Assessment)
class AssessmentAdmin(admin.ModelAdmin):
    list_display = ["agency", "period", "state", "submitted_at", "deadline_extended_to"]
    list_filter = ["period", "state", "agency__kind"]
    search_fields = ["agency__name"]
    list_select_related = ["agency", "period"]
    readonly_fields = ["period", "agency", "index_set", "state", "ready_at", "ready_by", "submitted_at"]
    inlines = [TransitionInline]
