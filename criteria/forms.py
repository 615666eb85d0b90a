from collections.abc import Sequence
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from organisations.models import AgencyKind
from parindex.forms import ExcelFileField
from parindex.numbers import decimal_places, format_points, parse_decimal
from parindex.xlsx import RowError

from .models import ScoringMethod
from .tree import (
    CODE_RE,
    COL_CODE,
    COL_DEDUCTION,
    COL_MAX,
    COL_METHOD,
    COL_STEP,
    COL_SURVEY,
    COL_TIERS,
    COL_TITLE,
    NodeRow,
    format_tiers,
    parse_tiers,
)


class ImportForm(forms.Form):
    file = ExcelFileField(
        help_text=_("Theo mẫu: các cột Mã, Nội dung, Điểm tối đa là bắt buộc. Tệp có lỗi sẽ không được lưu dòng nào."),
    )
    name = forms.CharField(
        label=_("Tên bộ chỉ số"),
        max_length=255,
        required=False,
        help_text=_("Để trống để lấy từ trang «Thông tin» của tệp."),
    )
    agency_kind = forms.ChoiceField(
        label=_("Loại cơ quan áp dụng"), choices=[("", "—"), *AgencyKind.choices], required=False
    )
    year_from = forms.IntegerField(label=_("Áp dụng từ năm"), min_value=2000, max_value=2100, required=False)
    year_to = forms.IntegerField(label=_("Đến năm"), min_value=2000, max_value=2100, required=False)
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=100, required=False)
    decision_date = forms.DateField(
        label=_("Ngày quyết định"), required=False, widget=forms.DateInput(attrs={"placeholder": "dd/mm/yyyy"})
    )


class CopyForm(forms.Form):
    name = forms.CharField(label=_("Tên phiên bản mới"), max_length=255, required=False)


# ---- the set editor: one form per node, the columns of the Excel template -------------------------------


class _DecimalText(forms.CharField):
    """A number typed Vietnamese-style (0,25) or English-style (0.25), at most 2 decimals; blank is None."""

    def to_python(self, value: object) -> Decimal | None:  # type: ignore[override]
        text = super().to_python(value)
        if text in (None, ""):
            return None
        try:
            number = parse_decimal(text)
        except ValueError:
            raise ValidationError(
                _("«%(value)s» không phải là số; nhập một số, ví dụ 12,5."), params={"value": text}
            ) from None
        if decimal_places(number) > 2:
            raise ValidationError(_("«%(value)s» có quá 2 chữ số thập phân."), params={"value": text})
        return number


class NodeEditForm(forms.Form):
    """One row of the editor. Nothing is required here: the tree rules (criteria.tree.validate_rows, the
    same as the import's) say what a row lacks, so the editor and the import give the same messages."""

    orig_code = forms.CharField(required=False, widget=forms.HiddenInput)
    code = forms.CharField(label=_("Mã"), max_length=20, required=False)
    title = forms.CharField(label=_("Nội dung"), required=False)
    max_points = _DecimalText(label=_("Điểm tối đa"), required=False)
    method = forms.ChoiceField(label=_("Phương pháp chấm"), required=False, choices=[("", "—"), *ScoringMethod.choices])
    step = _DecimalText(label=_("Bước điểm"), required=False)
    deduction_per_event = _DecimalText(label=_("Điểm trừ mỗi lần"), required=False)
    tiers = forms.CharField(label=_("Bậc tỷ lệ"), required=False)
    guidance = forms.CharField(label=_("Hướng dẫn chấm"), required=False)
    evidence_required = forms.CharField(label=_("Tài liệu kiểm chứng"), required=False)
    lead_agency = forms.CharField(label=_("Cơ quan theo dõi"), max_length=255, required=False)
    allow_not_applicable = forms.BooleanField(label=_("Được không áp dụng"), required=False)
    is_survey = forms.BooleanField(label=_("Điều tra XHH"), required=False)

    def clean_code(self) -> str:
        return str(self.cleaned_data["code"]).strip().rstrip(".")

    def clean_tiers(self) -> str:
        text = str(self.cleaned_data["tiers"])
        if text.strip():
            try:
                parse_tiers(text)
            except ValueError as exc:
                raise ValidationError(_("Bậc tỷ lệ %(problem)s.") % {"problem": exc}) from None
        return text

    def is_blank(self) -> bool:
        """A row added and left empty: ignored on save."""
        data = self.cleaned_data
        return not any(
            data.get(name) not in (None, "")
            for name in ("code", "title", "max_points", "step", "deduction_per_event", "tiers", "guidance")
        ) and not (data.get("evidence_required") or data.get("lead_agency"))

    def node_row(self, number: int) -> NodeRow:
        data = self.cleaned_data
        return NodeRow(
            row=number,
            code=data["code"],
            title=data["title"],
            max_points=data["max_points"],
            method=data["method"],
            step=data["step"],
            deduction_per_event=data["deduction_per_event"],
            tiers=parse_tiers(data["tiers"]) if data["tiers"].strip() else [],
            guidance=data["guidance"],
            evidence_required=data["evidence_required"],
            lead_agency=data["lead_agency"],
            allow_not_applicable=data["allow_not_applicable"],
            is_survey=data["is_survey"],
        )


NodeEditFormSet = forms.formset_factory(NodeEditForm, extra=0, can_delete=True, max_num=5000, absolute_max=5000)

# validate_rows names the Excel columns; the editor puts each message under the matching input.
COLUMN_FIELDS = {
    COL_CODE: "code",
    COL_TITLE: "title",
    COL_MAX: "max_points",
    COL_METHOD: "method",
    COL_STEP: "step",
    COL_DEDUCTION: "deduction_per_event",
    COL_TIERS: "tiers",
    COL_SURVEY: "is_survey",
}


def editor_initial(rows: Sequence[NodeRow], leaves: set[str]) -> list[dict[str, object]]:
    """The set's rows as the editor's initial values, numbers Vietnamese-style."""
    return [
        {
            "orig_code": row.code,
            "code": row.code,
            "title": row.title,
            "max_points": format_points(row.max_points),
            "method": row.method if row.code in leaves else "",
            "step": format_points(row.step),
            "deduction_per_event": format_points(row.deduction_per_event),
            "tiers": format_tiers(row.tiers),
            "guidance": row.guidance,
            "evidence_required": row.evidence_required,
            "lead_agency": row.lead_agency,
            "allow_not_applicable": row.allow_not_applicable,
            "is_survey": row.is_survey,
        }
        for row in rows
    ]


def _code_key(code: str) -> tuple[int, ...]:
    return tuple(int(part) for part in code.split("."))


def editor_rows(formset: forms.BaseFormSet) -> list[NodeRow]:
    """The rows to save from a valid editor formset, in tree order.

    Row numbers are the editor's line numbers (messages say «dòng 7»). Changing a node's code moves it,
    and removing it removes it, *with its children*: a row whose code the user left as it was follows
    its moved or removed ancestor. Rows are then put in code order, so where a row sits on the page
    does not matter (a new row can be added at the bottom).
    """
    kept: list[tuple[int, NodeEditForm]] = []
    moved: dict[str, str] = {}
    removed: list[str] = []
    for number, form in enumerate(formset.forms, start=1):
        data = form.cleaned_data
        orig = data.get("orig_code", "")
        if data.get("DELETE"):
            if orig:
                removed.append(orig)
            continue
        if form.is_blank():
            continue
        if orig and data["code"] and data["code"] != orig:
            moved[orig] = data["code"]
        kept.append((number, form))

    rows = []
    for number, form in kept:
        row = form.node_row(number)
        orig = form.cleaned_data.get("orig_code", "")
        if orig and row.code == orig:
            ancestors = [orig.rsplit(".", k)[0] for k in range(1, orig.count(".") + 1)]  # nearest first
            if any(a in removed for a in ancestors):
                continue
            for ancestor in ancestors:
                if ancestor in moved:
                    row.code = moved[ancestor] + orig[len(ancestor) :]
                    break
        rows.append(row)
    if all(CODE_RE.match(r.code) for r in rows):
        rows.sort(key=lambda r: _code_key(r.code))
    return rows


def editor_errors(formset: forms.BaseFormSet, errors: Sequence[RowError]) -> list[str]:
    """Put each tree error under its row's input; return those that belong to no input."""
    general = []
    forms_by_number = dict(enumerate(formset.forms, start=1))
    for error in errors:
        form = forms_by_number.get(error.row) if error.row is not None else None
        field = COLUMN_FIELDS.get(error.column or "")
        if form is None:
            general.append(error.message)
        else:
            form.add_error(field, error.message)
    return general
