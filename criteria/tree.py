"""Validation of a criteria tree given as flat rows, shared by the Excel import, the demo loader and copies.

Every rule reports all its violations at once, each tied to the row (spreadsheet line) and column it
comes from, so an officer fixes a whole workbook in one pass.
"""

import itertools
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from parindex.numbers import decimal_places, format_points, parse_decimal
from parindex.xlsx import ImportInvalid, RowError

from .models import ScoringMethod

CODE_RE = re.compile(r"^\d{1,3}(\.\d{1,3}){0,3}$")
MAX_DEPTH = 4

COL_CODE = "Mã"
COL_TITLE = "Nội dung"
COL_MAX = "Điểm tối đa"
COL_METHOD = "Phương pháp chấm"
COL_STEP = "Bước điểm"
COL_DEDUCTION = "Điểm trừ mỗi lần"
COL_TIERS = "Bậc tỷ lệ"
COL_SURVEY = "Điều tra XHH"


@dataclass(frozen=True)
class TierRow:
    lower_pct: Decimal
    upper_pct: Decimal
    points: Decimal

    @property
    def label(self) -> str:
        return f"{format_points(self.lower_pct)}–{format_points(self.upper_pct)} %"


@dataclass
class NodeRow:
    code: str
    title: str
    max_points: Decimal | None  # None: the cell could not be read and was already reported
    method: str = ""
    step: Decimal | None = None
    deduction_per_event: Decimal | None = None
    tiers: list[TierRow] = field(default_factory=list)
    guidance: str = ""
    evidence_required: str = ""
    lead_agency: str = ""
    allow_not_applicable: bool = False
    is_survey: bool = False
    row: int | None = None

    @property
    def parent_code(self) -> str | None:
        return self.code.rsplit(".", 1)[0] if "." in self.code else None

    @property
    def depth(self) -> int:
        return self.code.count(".") + 1


class TreeInvalid(ImportInvalid):
    """A criteria set that cannot be saved: every error found; nothing has been saved."""


_TIER_RE = re.compile(r"^\s*([\d.,]+)\s*(?:%\s*)?[-–]\s*([\d.,]+)\s*%?\s*:\s*([\d.,]+)\s*$")


def parse_tiers(text: str) -> list[TierRow]:
    """Parse ``"0-50: 0; 50-80: 0,5; 80-100: 1"`` (percent ranges and points; `;` or new lines between tiers)."""
    tiers = []
    for part in re.split(r"[;\n]", text):
        if not part.strip():
            continue
        match = _TIER_RE.match(part)
        if not match:
            raise ValueError(
                f"không đọc được bậc «{part.strip()}»; viết theo dạng «từ-đến: điểm», "
                "các bậc cách nhau bằng dấu chấm phẩy, ví dụ «0-50: 0; 50-80: 0,5; 80-100: 1»"
            )
        lower, upper, points = (parse_decimal(g) for g in match.groups())
        tiers.append(TierRow(lower, upper, points))
    return tiers


def format_tiers(tiers: Sequence[TierRow]) -> str:
    return "; ".join(
        f"{format_points(t.lower_pct)}-{format_points(t.upper_pct)}: {format_points(t.points)}" for t in tiers
    )


def _tier_errors(node: NodeRow) -> list[RowError]:
    errors: list[RowError] = []

    def err(message: str) -> None:
        errors.append(RowError(node.row, COL_TIERS, f"Mục «{node.code}»: {message}"))

    tiers = sorted(node.tiers, key=lambda t: (t.lower_pct, t.upper_pct))
    for tier in tiers:
        if tier.lower_pct >= tier.upper_pct:
            err(f"bậc «{tier.label}» không hợp lệ: cận dưới phải nhỏ hơn cận trên.")
        if tier.upper_pct > 100:
            err(f"bậc «{tier.label}» vượt quá 100 %.")
        if node.max_points is not None and tier.points > node.max_points:
            err(
                f"điểm của bậc «{tier.label}» ({format_points(tier.points)}) "
                f"vượt điểm tối đa ({format_points(node.max_points)})."
            )
    if tiers[0].lower_pct != 0:
        err(f"các bậc tỷ lệ phải bắt đầu từ 0 % (bậc đầu tiên bắt đầu từ {format_points(tiers[0].lower_pct)} %).")
    for prev, nxt in itertools.pairwise(tiers):
        if nxt.lower_pct > prev.upper_pct:
            err(f"các bậc tỷ lệ bị hở từ {format_points(prev.upper_pct)} % đến {format_points(nxt.lower_pct)} %.")
        elif nxt.lower_pct < prev.upper_pct:
            err(
                f"các bậc tỷ lệ chồng lên nhau từ {format_points(nxt.lower_pct)} % "
                f"đến {format_points(min(prev.upper_pct, nxt.upper_pct))} %."
            )
    if tiers[-1].upper_pct != 100:
        err(f"các bậc tỷ lệ phải kết thúc ở 100 % (bậc cuối kết thúc ở {format_points(tiers[-1].upper_pct)} %).")
    return errors


def validate_rows(rows: Sequence[NodeRow]) -> list[RowError]:
    """Every violation of the tree rules, in row order. An empty list means the rows form a valid set."""
    if not rows:
        return [RowError(None, None, "Bộ chỉ số không có mục nào.")]
    errors: list[RowError] = []
    first_row_of: dict[str, NodeRow] = {}
    valid_codes: list[NodeRow] = []

    for node in rows:
        if not CODE_RE.match(node.code):
            errors.append(
                RowError(
                    node.row,
                    COL_CODE,
                    f"Mã «{node.code}» không hợp lệ: dùng các số nối bằng dấu chấm, "
                    f"tối đa {MAX_DEPTH} cấp (ví dụ 1, 1.2, 1.2.3, 2.1.1.1).",
                )
            )
            continue
        if node.code in first_row_of:
            other = first_row_of[node.code].row
            where = f" (đã có ở dòng {other})" if other is not None else ""
            errors.append(RowError(node.row, COL_CODE, f"Mã «{node.code}» bị trùng{where}."))
            continue
        first_row_of[node.code] = node
        valid_codes.append(node)
        if not node.title.strip():
            errors.append(RowError(node.row, COL_TITLE, f"Mục «{node.code}»: nội dung không được để trống."))
        if node.max_points is not None:
            if node.max_points < 0:
                errors.append(RowError(node.row, COL_MAX, f"Mục «{node.code}»: điểm tối đa không được âm."))
            if decimal_places(node.max_points) > 2:
                errors.append(
                    RowError(node.row, COL_MAX, f"Mục «{node.code}»: điểm tối đa chỉ có tối đa 2 chữ số thập phân.")
                )

    children: dict[str, list[NodeRow]] = {}
    seen: set[str] = set()
    for node in valid_codes:
        parent = node.parent_code
        if parent is not None:
            if parent not in first_row_of:
                errors.append(
                    RowError(node.row, COL_CODE, f"Mã «{node.code}» không có mục cha «{parent}» trong bộ chỉ số.")
                )
            elif parent not in seen:
                errors.append(RowError(node.row, COL_CODE, f"Mục «{node.code}» phải đứng sau mục cha «{parent}»."))
                children.setdefault(parent, []).append(node)
            else:
                children.setdefault(parent, []).append(node)
        seen.add(node.code)

    for node in valid_codes:
        kids = children.get(node.code, [])
        if kids:
            errors.extend(_parent_errors(node, kids))
        else:
            errors.extend(_leaf_errors(node))
        parent_row = first_row_of.get(node.parent_code or "")
        if parent_row is not None and parent_row.is_survey != node.is_survey:
            errors.append(
                RowError(
                    node.row,
                    COL_SURVEY,
                    f"Mục «{node.code}» và mục cha «{parent_row.code}» phải cùng là (hoặc cùng không là) "
                    "phần điều tra xã hội học.",
                )
            )
    return sorted(errors, key=lambda e: (e.row is not None, e.row or 0))


def _parent_errors(node: NodeRow, kids: list[NodeRow]) -> list[RowError]:
    errors = []
    if node.method:
        errors.append(
            RowError(
                node.row,
                COL_METHOD,
                f"Mục «{node.code}» có mục con nên không chấm trực tiếp; để trống cột «{COL_METHOD}».",
            )
        )
    if node.tiers:
        errors.append(RowError(node.row, COL_TIERS, f"Mục «{node.code}» có mục con nên không có bậc tỷ lệ."))
    kid_points = [k.max_points for k in kids if k.max_points is not None]
    if node.max_points is not None and len(kid_points) == len(kids):
        total = sum(kid_points, Decimal(0))
        if total != node.max_points:
            errors.append(
                RowError(
                    node.row,
                    COL_MAX,
                    f"Tổng điểm tối đa của các mục con của «{node.code}» là {format_points(total)}, "
                    f"khác điểm tối đa của mục này ({format_points(node.max_points)}).",
                )
            )
    return errors


def _leaf_errors(node: NodeRow) -> list[RowError]:
    errors = []
    method = node.method or ScoringMethod.MANUAL
    if method not in ScoringMethod.values:
        errors.append(RowError(node.row, COL_METHOD, f"Mục «{node.code}»: phương pháp chấm «{method}» không có."))
        return errors
    if node.step is not None and node.step <= 0:
        errors.append(RowError(node.row, COL_STEP, f"Mục «{node.code}»: bước điểm phải lớn hơn 0."))
    if method == ScoringMethod.RATIO:
        if not node.tiers:
            errors.append(
                RowError(
                    node.row, COL_TIERS, f"Mục «{node.code}» chấm theo tỷ lệ nên cần bảng bậc tỷ lệ (từ 0 % đến 100 %)."
                )
            )
        else:
            errors.extend(_tier_errors(node))
    elif node.tiers:
        errors.append(RowError(node.row, COL_TIERS, f"Mục «{node.code}»: chỉ mục chấm theo tỷ lệ mới có bậc tỷ lệ."))
    if method == ScoringMethod.DEDUCTION:
        if node.deduction_per_event is None or node.deduction_per_event <= 0:
            errors.append(
                RowError(
                    node.row,
                    COL_DEDUCTION,
                    f"Mục «{node.code}» chấm theo trừ điểm nên cần số điểm trừ mỗi lần (lớn hơn 0).",
                )
            )
    elif node.deduction_per_event is not None:
        errors.append(
            RowError(node.row, COL_DEDUCTION, f"Mục «{node.code}»: chỉ mục chấm theo trừ điểm mới có điểm trừ mỗi lần.")
        )
    return errors
