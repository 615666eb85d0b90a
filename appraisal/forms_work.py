"""Reading the reviewer's posted row: points typed Vietnamese-style, the comment, «accept the self points»."""

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from parindex.numbers import parse_decimal

from .services import AppraisalEdit


@dataclass(frozen=True)
class TypedRow:
    """What the reviewer typed, kept to show again when the save is refused or loses a race."""

    points: str = ""
    comment: str = ""


def typed_row(data: Mapping[str, str]) -> TypedRow:
    return TypedRow(points=data.get("points", "").strip(), comment=data.get("comment", ""))


def typed_differs(typed: TypedRow, points: Decimal | None, comment: str) -> bool:
    """Whether what the reviewer typed differs from what is stored (points compared as numbers: «7,50» is 7,5)."""
    if typed.comment != comment:
        return True
    if not typed.points:
        return points is not None
    try:
        return parse_decimal(typed.points) != points
    except ValueError:
        return True


def appraisal_edit_from_post(data: Mapping[str, str]) -> tuple[AppraisalEdit, int]:
    """The edit and the version it was read at; ValidationError (Vietnamese) on unreadable input."""
    try:
        version = int(data.get("version", ""))
    except ValueError:
        raise ValidationError(_("Thiếu phiên bản của dòng; tải lại trang.")) from None
    typed = typed_row(data)
    if data.get("accept") == "1":
        return AppraisalEdit(points=None, comment=typed.comment, accept_self=True), version
    if not typed.points:
        return AppraisalEdit(points=None, comment=typed.comment), version
    try:
        points = parse_decimal(typed.points)
    except ValueError:
        raise ValidationError(_("«%(raw)s» không phải là số điểm.") % {"raw": typed.points}) from None
    return AppraisalEdit(points=points, comment=typed.comment), version


def versions_from_post(data: Mapping[str, str], ids: list[str]) -> dict[int, int]:
    """The chosen rows of a bulk «accept the self points» and the version each was read at."""
    chosen: dict[int, int] = {}
    for raw in ids:
        version = data.get(f"v{raw}", "")
        if raw.isdigit() and version.isdigit():
            chosen[int(raw)] = int(version)
    return chosen
