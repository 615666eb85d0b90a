"""The decision of the provincial People's Committee that approves and publishes the year's PAR Index, with
its annex (DESIGN.md, Ranking and publication), built once as plain data: the PDF and the Word writer lay out
the same text, so a figure or a sentence cannot differ between the two files.

The layout rules come from Nghị định 30/2020/NĐ-CP (công tác văn thư): the issuing body and number on the
left, the national motto and the place and date on the right, the title, the authority, the legal bases,
the articles, the recipients and the signature block, then the annex. The document is always Vietnamese,
whatever language the reader's interface uses: it is the province's legal text.
"""

import datetime
import re
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.utils import timezone, translation

from appraisal.results import AgencyResult, ResultGroup
from assessments.models import Period
from organisations.models import AgencyKind
from parindex.numbers import format_points

from .access import Access, Source

BLANK = "…"  # what a draft shows where the office writes by hand (number, day, month)
NUMBER_SUFFIX = "QĐ-UBND"

# The columns of the annex table, before and after the domain columns (one per domain of the group's set).
ANNEX_HEAD_BEFORE = ("STT", "Cơ quan, đơn vị")
ANNEX_HEAD_AFTER = (
    "Điểm thẩm định",
    "Điểm điều tra XHH",
    "Điểm thưởng / trừ",
    "Tổng điểm",
    "Chỉ số (%)",
    "Xếp loại",
    "Xếp hạng",
)
ANNEX_DOMAINS_HEAD = "Điểm theo lĩnh vực"

# How each kind of agency is named in the title, the articles and the recipients.
SUBJECTS: dict[str, str] = {
    AgencyKind.DEPARTMENT: "các sở, ban, ngành",
    AgencyKind.DISTRICT: "Ủy ban nhân dân các huyện, thị xã, thành phố",
    AgencyKind.COMMUNE: "Ủy ban nhân dân các xã, phường, đặc khu",
}
HEADS: dict[str, str] = {
    AgencyKind.DEPARTMENT: "Thủ trưởng các sở, ban, ngành",
    AgencyKind.DISTRICT: "Chủ tịch Ủy ban nhân dân các huyện, thị xã, thành phố",
    AgencyKind.COMMUNE: "Chủ tịch Ủy ban nhân dân các xã, phường, đặc khu",
}
RECIPIENTS: dict[str, str] = {
    AgencyKind.DEPARTMENT: "Các sở, ban, ngành",
    AgencyKind.DISTRICT: "UBND các huyện, thị xã, thành phố",
    AgencyKind.COMMUNE: "UBND các xã, phường, đặc khu",
}
KIND_ORDER = (AgencyKind.DEPARTMENT, AgencyKind.DISTRICT, AgencyKind.COMMUNE)

# The Law on the Organisation of Local Government of 16/6/2025 replaced the 2015 law (as amended in 2019)
# from 01/7/2025; a decision cites the one in force on its date.
NEW_LOCAL_GOVERNMENT_LAW = datetime.date(2025, 7, 1)
ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII")


@dataclass(frozen=True)
class Article:
    number: int
    text: str
    items: tuple[str, ...] = ()


@dataclass(frozen=True)
class AnnexRow:
    position: int  # STT
    agency: str
    domains: tuple[str, ...]
    points: str
    survey: str
    adjustment: str
    total: str
    index: str
    band: str
    rank: str


@dataclass(frozen=True)
class AnnexGroup:
    heading: str  # «I. Sở, ban, ngành cấp tỉnh»
    domain_codes: tuple[str, ...]  # the domain columns' heads, under «Điểm theo lĩnh vực»
    legend: str  # the domains' titles, under the table
    rows: tuple[AnnexRow, ...]
    results: ResultGroup  # the figures themselves, for a chart


@dataclass(frozen=True)
class Signature:
    lines: tuple[str, ...]  # «TM. ỦY BAN NHÂN DÂN», «KT. CHỦ TỊCH», «PHÓ CHỦ TỊCH»
    name: str  # blank until the office fills it


@dataclass(frozen=True)
class Decision:
    issuing_body: tuple[str, str]  # «ỦY BAN NHÂN DÂN», «TỈNH MINH XUÂN»
    province: str  # «tỉnh Minh Xuân»
    number: str  # «Số: 25/QĐ-UBND» or «Số: …/QĐ-UBND»
    place_date: str  # «Minh Xuân, ngày 30 tháng 01 năm 2026»
    title: str  # «QUYẾT ĐỊNH»
    summary: str  # «Phê duyệt và công bố Chỉ số cải cách hành chính năm …»
    authority: str  # «ỦY BAN NHÂN DÂN TỈNH MINH XUÂN»
    bases: tuple[str, ...]
    articles: tuple[Article, ...]
    recipients: tuple[str, ...]
    signature: Signature
    annex_title: tuple[str, ...]
    annex_reference: str  # «(Kèm theo Quyết định số … của …)»
    annex_groups: tuple[AnnexGroup, ...]
    draft: bool  # live figures, not yet published: marked «DỰ THẢO»
    year: int
    filename_stem: str = field(default="")


@dataclass(frozen=True)
class DecisionOptions:
    """What the office may type on the download; empty fields fall back to the publication and settings."""

    number: str = ""
    date: datetime.date | None = None
    signer: str = ""
    deputy: bool | None = None


# ---- small formatting rules --------------------------------------------------------------------------------


def date_words(day: datetime.date) -> str:
    """«ngày 05 tháng 02 năm 2026»: NĐ 30 writes a leading zero for days below 10 and months below 3 only."""
    day_text = f"{day.day:02d}" if day.day < 10 else str(day.day)
    month_text = f"{day.month:02d}" if day.month < 3 else str(day.month)
    return f"ngày {day_text} tháng {month_text} năm {day.year}"


def blank_date_words(year: int | None = None) -> str:
    return f"ngày {BLANK} tháng {BLANK} năm {year if year else BLANK}"


def decision_number(raw: str) -> str:
    """«25» → «25/QĐ-UBND»; a full number is kept as typed."""
    raw = raw.strip()
    if raw.isdigit():
        return f"{raw}/{NUMBER_SUFFIX}"
    return raw


_DATE = re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})")


def split_decision(text: str) -> tuple[str, datetime.date | None]:
    """The number and date of a publication's decision as Sở Nội vụ recorded it: «25/QĐ-UBND ngày 30/01/2026»."""
    text = re.sub(r"^\s*(quyết định\s+)?(số:?\s*)?", "", text.strip(), flags=re.IGNORECASE)
    number = text.split()[0] if text.split() else ""
    if _DATE.fullmatch(number):  # only a date was recorded
        number = ""
    day = None
    match = _DATE.search(text)
    if match:
        try:
            day = datetime.date(int(match[3]), int(match[2]), int(match[1]))
        except ValueError:
            day = None
    return decision_number(number.rstrip(",;")), day


def points(value: Decimal) -> str:
    return format_points(value)


def index_text(value: Decimal | None) -> str:
    return format_points(value, places=2) if value is not None else "—"


def adjustment_text(row: AgencyResult) -> str:
    """«+1,5», «−0,5», «+1; −0,5» or «—»: the bonus and the penalty as they change the total."""
    parts = []
    if row.bonus:
        parts.append(f"+{points(row.bonus)}")
    if row.penalty:
        parts.append(f"−{points(row.penalty)}")
    return "; ".join(parts) or "—"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " và " + items[-1]


# ---- the decision ------------------------------------------------------------------------------------------


def build_decision(
    period: Period, access: Access, options: DecisionOptions | None = None, groups: list[ResultGroup] | None = None
) -> Decision:
    """The decision and its annex from the results ``access`` allows. Queries: the results (one when
    published, six live) and one for the kinds of agency taking part."""
    options = options or DecisionOptions()
    with translation.override("vi"):  # band and group names in the document's language, not the reader's
        groups = groups if groups is not None else access.results(period)
        kinds = set(period.assessments.order_by().values_list("agency__kind", flat=True).distinct())
        return _decision(period, access, options, groups, kinds)


def _decision(
    period: Period, access: Access, options: DecisionOptions, groups: list[ResultGroup], kinds: set[str]
) -> Decision:
    province_kind = settings.PARINDEX_PROVINCE_KIND
    province_name = settings.PARINDEX_PROVINCE
    province = f"{province_kind} {province_name}"
    published_number, published_date = ("", None)
    if access.publication is not None:
        published_number, published_date = split_decision(access.publication.decision)
        published_date = published_date or timezone.localdate(access.publication.published_at)
    number = decision_number(options.number) or published_number
    day = options.date or published_date
    issued_words = date_words(day) if day else blank_date_words()
    number_text = number or f"{BLANK}/{NUMBER_SUFFIX}"

    ordered_kinds: list[str] = [kind for kind in KIND_ORDER if kind in kinds]
    subjects = _join([SUBJECTS[k] for k in ordered_kinds]) if ordered_kinds else "các cơ quan, đơn vị"
    summary = (
        f"Phê duyệt và công bố Chỉ số cải cách hành chính năm {period.year} của {subjects} trên địa bàn {province}"
    )
    authority = f"ỦY BAN NHÂN DÂN {province.upper()}"

    deputy = settings.PARINDEX_SIGNER_DEPUTY if options.deputy is None else options.deputy
    signature = Signature(
        ("TM. ỦY BAN NHÂN DÂN", "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH") if deputy else ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"),
        options.signer.strip() or settings.PARINDEX_SIGNER_NAME,
    )

    return Decision(
        issuing_body=("ỦY BAN NHÂN DÂN", province.upper()),
        province=province,
        number=f"Số: {number_text}",
        place_date=f"{province_name}, {issued_words}",
        title="QUYẾT ĐỊNH",
        summary=summary,
        authority=authority,
        bases=_bases(period, day or timezone.localdate()),
        articles=_articles(period, groups, subjects, ordered_kinds, province),
        recipients=_recipients(ordered_kinds, province_kind),
        signature=signature,
        annex_title=("Phụ lục", f"KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM {period.year}"),
        annex_reference=(f"(Kèm theo Quyết định số {number_text} {issued_words} của Ủy ban nhân dân {province})"),
        annex_groups=tuple(_annex_group(position, group) for position, group in enumerate(groups)),
        draft=access.source != Source.PUBLISHED,
        year=period.year,
        filename_stem=f"Quyet-dinh-cong-bo-Chi-so-CCHC-{period.year}",
    )


def _bases(period: Period, day: datetime.date) -> tuple[str, ...]:
    law = (
        "Căn cứ Luật Tổ chức chính quyền địa phương ngày 16 tháng 6 năm 2025;"
        if day >= NEW_LOCAL_GOVERNMENT_LAW
        else "Căn cứ Luật Tổ chức chính quyền địa phương ngày 19 tháng 6 năm 2015; Luật sửa đổi, bổ sung một số "
        "điều của Luật Tổ chức Chính phủ và Luật Tổ chức chính quyền địa phương ngày 22 tháng 11 năm 2019;"
    )
    return (
        law,
        "Căn cứ Nghị quyết số 76/NQ-CP ngày 15 tháng 7 năm 2021 của Chính phủ ban hành Chương trình tổng thể "
        "cải cách hành chính nhà nước giai đoạn 2021 - 2030;",
        f"Căn cứ kết quả tự đánh giá, chấm điểm của các cơ quan, đơn vị và kết quả thẩm định, điều tra xã hội học "
        f"xác định Chỉ số cải cách hành chính năm {period.year};",
        f"Theo đề nghị của Giám đốc Sở Nội vụ tại Tờ trình số {BLANK}/TTr-SNV {blank_date_words()}.",
    )


def _articles(
    period: Period, groups: list[ResultGroup], subjects: str, kinds: list[str], province: str
) -> tuple[Article, ...]:
    summaries = []
    for position, group in enumerate(groups):
        if not group.rows:
            continue
        best, worst = group.rows[0], group.rows[-1]
        count = len(group.rows)
        text = f"{_letter(position)}) {group.label}: {count} cơ quan, đơn vị"
        if count > 1:
            text += (
                f"; cao nhất là {best.agency_name} ({index_text(best.index)}%), "
                f"thấp nhất là {worst.agency_name} ({index_text(worst.index)}%)."
            )
        else:
            text += f"; {best.agency_name} đạt {index_text(best.index)}%."
        summaries.append(text)
    heads = _join([HEADS[k] for k in kinds]) if kinds else "Thủ trưởng các cơ quan, đơn vị"
    return (
        Article(
            1,
            f"Phê duyệt và công bố Chỉ số cải cách hành chính năm {period.year} của {subjects} trên địa bàn "
            f"{province} (chi tiết tại Phụ lục kèm theo), cụ thể:",
            tuple(summaries),
        ),
        Article(
            2,
            f"Giao Sở Nội vụ công bố kết quả Chỉ số cải cách hành chính năm {period.year} theo quy định. {heads} "
            "căn cứ kết quả tại Điều 1, phân tích những tiêu chí, tiêu chí thành phần chưa đạt điểm tối đa, làm "
            "rõ nguyên nhân, trách nhiệm và có giải pháp khắc phục, nâng cao Chỉ số cải cách hành chính của cơ "
            "quan, đơn vị trong năm tiếp theo.",
        ),
        Article(
            3,
            "Quyết định này có hiệu lực kể từ ngày ký. Chánh Văn phòng Ủy ban nhân dân "
            f"{settings.PARINDEX_PROVINCE_KIND}, Giám đốc Sở Nội vụ, {heads} và các tổ chức, cá nhân có liên quan "
            "chịu trách nhiệm thi hành Quyết định này./.",
        ),
    )


def _letter(position: int) -> str:
    return "abcdefghiklmnopqrstuvxy"[position % 23]


def _recipients(kinds: list[str], province_kind: str) -> tuple[str, ...]:
    party = "Tỉnh ủy" if province_kind == "tỉnh" else "Thành ủy"
    return (
        "Như Điều 3;",
        "Bộ Nội vụ (b/c);",
        f"TT {party}, TT HĐND {province_kind} (b/c);",
        f"Chủ tịch, các PCT UBND {province_kind};",
        *(f"{RECIPIENTS[k]};" for k in kinds),
        f"Cổng thông tin điện tử {province_kind};",
        "Lưu: VT, NC.",
    )


def _annex_group(position: int, group: ResultGroup) -> AnnexGroup:
    heads = group.domain_heads
    rows = tuple(
        AnnexRow(
            position=number,
            agency=row.agency_name,
            domains=tuple(points(d.points) for d in row.domains),
            points=points(row.points),
            survey=points(row.survey_points) if row.survey_max else "—",
            adjustment=adjustment_text(row),
            total=points(row.total),
            index=index_text(row.index),
            band=row.band_label,
            rank=str(row.rank),
        )
        for number, row in enumerate(group.rows, start=1)
    )
    legend = "; ".join(f"Lĩnh vực {d.code}: {d.title}" for d in heads)
    return AnnexGroup(
        heading=f"{ROMAN[position % len(ROMAN)]}. {group.label} ({len(group.rows)} cơ quan, đơn vị)",
        domain_codes=tuple(d.code for d in heads),
        legend=f"Ghi chú: {legend}." if legend else "",
        rows=rows,
        results=group,
    )
