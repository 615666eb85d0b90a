from typing import Any, ClassVar

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from parindex.numbers import format_points

from .models import IndexSet, Node, RatioTier
from .services import frozen_message, index_set_copy

STRUCTURE_HELP = _(
    "Cấu trúc cây và điểm được nhập từ Excel. Để thay đổi: xuất ra Excel, sửa, rồi nhập thành bộ chỉ số mới "
    "(hoặc sao chép thành phiên bản mới)."
)


@admin.register(IndexSet)
class IndexSetAdmin(admin.ModelAdmin):
    list_display = ["name", "version", "agency_kind", "years_label", "decision_number", "is_sample", "frozen"]
    list_filter = ["agency_kind", "is_sample", ("frozen_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "decision_number"]
    readonly_fields = ["version", "copied_from", "frozen_at", "created_at", "tree"]
    fields: ClassVar[tuple[str, ...]] = (
        "name",
        "agency_kind",
        "year_from",
        "year_to",
        "decision_number",
        "decision_date",
        "issuer",
        "is_sample",
        "version",
        "copied_from",
        "frozen_at",
        "created_at",
        "tree",
    )
    actions = ["copy_as_new_version"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # a set is created by importing its tree from Excel (page «Nhập từ Excel»)

    def get_readonly_fields(self, request: HttpRequest, obj: IndexSet | None = None) -> list[str] | tuple[str, ...]:
        if obj is not None and obj.is_frozen:
            return self.fields
        return self.readonly_fields

    def has_delete_permission(self, request: HttpRequest, obj: IndexSet | None = None) -> bool:
        return super().has_delete_permission(request, obj) and not (obj and obj.is_frozen)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        obj = self.get_object(request, object_id)
        if obj is not None and obj.is_frozen and request.method == "GET":
            messages.warning(request, frozen_message(obj))
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(boolean=True, description=_("Đã khóa"))
    def frozen(self, obj: IndexSet) -> bool:
        return obj.is_frozen

    @admin.display(description=_("Cây chỉ số"))
    def tree(self, obj: IndexSet) -> str:
        nodes = obj.nodes.order_by("position").only("code", "title", "max_points", "depth", "is_leaf", "is_survey")
        rows = format_html_join(
            "",
            '<tr><td style="padding-left:{}rem;{}">{}</td><td style="{}">{}</td>'
            '<td style="text-align:right">{}</td></tr>',
            (
                (
                    (n.depth - 1) * 1.25,
                    "" if n.is_leaf else "font-weight:600",
                    n.code,
                    "" if n.is_leaf else "font-weight:600",
                    n.title + (" [ĐTXHH]" if n.is_survey and n.depth == 1 else ""),
                    format_points(n.max_points),
                )
                for n in nodes
            ),
        )
        link = reverse("criteria:detail", args=[obj.pk])
        return format_html(
            '<p>{} <a href="{}">{}</a></p><table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            STRUCTURE_HELP,
            link,
            _("Xem đầy đủ"),
            _("Mã"),
            _("Nội dung"),
            _("Điểm tối đa"),
            rows,
        )

    @admin.action(description=_("Sao chép thành phiên bản mới (có thể sửa)"))
    def copy_as_new_version(self, request: HttpRequest, queryset: QuerySet[IndexSet]) -> None:
        for source in queryset:
            copy = index_set_copy(source=source)
            self.message_user(
                request,
                _("Đã tạo «%(name)s» phiên bản %(version)s.") % {"name": copy.name, "version": copy.version},
                messages.SUCCESS,
            )


class RatioTierInline(admin.TabularInline):
    model = RatioTier
    extra = 0
    can_delete = False
    readonly_fields = ["lower_pct", "upper_pct", "points"]

    def has_add_permission(self, request: HttpRequest, obj: Node | None = None) -> bool:
        return False


@admin.register(Node)
class NodeAdmin(admin.ModelAdmin):
    list_display = ["indented_code", "short_title", "max_points", "method", "lead_agency", "index_set"]
    list_display_links = ["indented_code", "short_title"]
    list_filter = ["index_set", "depth", "method", "is_survey", "allow_not_applicable"]
    search_fields = ["code", "title", "lead_agency"]
    ordering = ["index_set", "position"]
    list_select_related = ["index_set"]
    list_per_page = 200
    inlines = [RatioTierInline]
    # Text may be corrected in place; structure and points come from the Excel import (sums must hold).
    readonly_fields = [
        "index_set",
        "parent",
        "code",
        "max_points",
        "position",
        "depth",
        "is_leaf",
        "method",
        "step",
        "deduction_per_event",
        "is_survey",
    ]
    fields = [
        "index_set",
        "code",
        "parent",
        "title",
        "max_points",
        "method",
        "step",
        "deduction_per_event",
        "guidance",
        "evidence_required",
        "lead_agency",
        "allow_not_applicable",
        "is_survey",
        "position",
        "depth",
        "is_leaf",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Node | None = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Node | None = None) -> bool:
        if obj is not None and obj.index_set.is_frozen:
            return False
        return super().has_change_permission(request, obj)

    @admin.display(description=_("Mã"), ordering="position")
    def indented_code(self, obj: Node) -> str:
        return format_html('<span style="padding-left:{}rem">{}</span>', (obj.depth - 1) * 1.25, obj.code)

    @admin.display(description=_("Nội dung"))
    def short_title(self, obj: Node) -> str:
        return obj.title if len(obj.title) <= 90 else obj.title[:88] + "…"
