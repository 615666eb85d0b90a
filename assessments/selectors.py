"""Reads across relations for the scoring sheet, its totals and the progress page, in fixed query counts."""

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _lazy

from assessments.models import Evidence, EvidenceLink
from criteria.models import Node
from organisations.models import Agency
from parindex.numbers import format_points, number_text

from .models import Assessment, AssessmentState, Period, Score, ScoreChange, Transition, effective_deadline
from .scoring import LeafState, ProgressFigures, Totals, compute_totals, domain_of


@dataclass
class SheetLeaf:
    node: Node
    score: Score
    evidence: list[Evidence] = field(default_factory=list)
    html: str = ""  # the rendered row, set by the view (assessments.leaf_html)

    @property
    def has_evidence(self) -> bool:
        return bool(self.evidence)

    @property
    def needs_note(self) -> bool:
        """The leaf asks for evidence, has none, and the agency has not explained why in its note."""
        return bool(self.node.evidence_required) and not self.evidence and not self.score.note.strip()

    def display_values(self) -> dict[str, str]:
        """What the inputs of the row show: the stored values, Vietnamese-style ("0,75")."""
        s = self.score
        return {
            "self_points": format_points(s.self_points),
            "answer_yes": {True: "yes", False: "no"}.get(s.answer_yes, "") if s.answer_yes is not None else "",
            "numerator": format_points(s.numerator),
            "denominator": format_points(s.denominator),
            "event_count": "" if s.event_count is None else str(s.event_count),
            "note": s.note,
            "not_applicable": "on" if s.not_applicable else "",
            "not_applicable_reason": s.not_applicable_reason,
        }

    def state(self) -> LeafState:
        return LeafState(
            domain_code=domain_of(self.node.code),
            max_points=self.score.max_points,
            points=self.score.self_points,
            not_applicable=self.score.not_applicable,
            is_survey=self.node.is_survey,
            has_evidence=self.has_evidence,
        )


@dataclass
class SheetLine:
    node: Node
    leaf: SheetLeaf | None = None


@dataclass
class DomainBlock:
    node: Node
    lines: list[SheetLine] = field(default_factory=list)


@dataclass
class Sheet:
    domains: list[DomainBlock]
    leaves: list[SheetLeaf]
    totals: Totals


def sheet_leaves(assessment: Assessment, *, only_score: int | None = None) -> list[SheetLeaf]:
    """Leaves with their score and evidence: 3 queries (scores with nodes, tiers, evidence links)."""
    scores = (
        Score.objects.filter(assessment=assessment)
        .select_related("node", "updated_by")
        .prefetch_related("node__tiers")
        .order_by("node__position")
    )
    links = EvidenceLink.objects.filter(score__assessment=assessment).select_related("evidence").order_by("pk")
    if only_score is not None:
        scores = scores.filter(pk=only_score)
        links = links.filter(score_id=only_score)
    evidence: dict[int, list[Evidence]] = {}
    for link in links:
        evidence.setdefault(link.score_id, []).append(link.evidence)
    return [SheetLeaf(node=s.node, score=s, evidence=evidence.get(s.pk, [])) for s in scores]


def sheet(assessment: Assessment) -> Sheet:
    """The whole tree by domain with every leaf's score: 4 queries whatever the number of leaves."""
    leaves = sheet_leaves(assessment)
    nodes = list(Node.objects.filter(index_set_id=assessment.index_set_id, is_leaf=False).order_by("position"))
    lines = sorted(
        [SheetLine(node=n) for n in nodes] + [SheetLine(node=leaf.node, leaf=leaf) for leaf in leaves],
        key=lambda line: line.node.position,
    )
    domains: list[DomainBlock] = []
    for line in lines:
        if line.node.depth == 1:
            domains.append(DomainBlock(node=line.node))
        else:
            domains[-1].lines.append(line)
    titles = {n.code: n.title for n in nodes if n.depth == 1 and not n.is_survey}
    totals = compute_totals((leaf.state() for leaf in leaves), titles)
    return Sheet(domains=domains, leaves=leaves, totals=totals)


def assessment_totals(assessment: Assessment) -> Totals:
    """Totals without loading the sheet: 2 queries (domain titles, one row per leaf)."""
    titles = dict(
        Node.objects.filter(index_set_id=assessment.index_set_id, depth=1, is_survey=False).values_list("code", "title")
    )
    rows = (
        Score.objects.filter(assessment=assessment)
        .annotate(has_evidence=Exists(EvidenceLink.objects.filter(score=OuterRef("pk"))))
        .values_list("node__code", "max_points", "self_points", "not_applicable", "node__is_survey", "has_evidence")
    )
    return compute_totals(
        (
            LeafState(domain_of(code), max_points, points, na, survey, has_ev)
            for code, max_points, points, na, survey, has_ev in rows
        ),
        titles,
    )


# ---- submission -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmissionCheck:
    """The agency's own leaves that still stop it from submitting.

    The one definition behind both the summary page and ``assessment_submit``: a leaf that is neither a
    survey leaf nor «không áp dụng» is *unscored* without points, and *unexplained* when it is scored but
    asks for evidence, has none and has no note (``SheetLeaf.needs_note``). An unscored leaf is listed
    once, as unscored, so the agency is not told twice about the same row.
    """

    unscored: list[SheetLeaf]
    unexplained: list[SheetLeaf]

    @property
    def unscored_codes(self) -> list[str]:
        return [leaf.node.code for leaf in self.unscored]

    @property
    def unexplained_codes(self) -> list[str]:
        return [leaf.node.code for leaf in self.unexplained]


def submission_check(assessment: Assessment, leaves: Sequence[SheetLeaf] | None = None) -> SubmissionCheck:
    """What blocks submission; pass ``leaves`` when the caller has loaded them already (3 queries saved)."""
    unscored: list[SheetLeaf] = []
    unexplained: list[SheetLeaf] = []
    for leaf in sheet_leaves(assessment) if leaves is None else leaves:
        if leaf.node.is_survey or leaf.score.not_applicable:
            continue
        if leaf.score.self_points is None:
            unscored.append(leaf)
        elif leaf.needs_note:
            unexplained.append(leaf)
    return SubmissionCheck(unscored=unscored, unexplained=unexplained)


# ---- periods --------------------------------------------------------------------------------------------


def default_participants(kinds: Iterable[str]) -> list[Agency]:
    """Who takes part in a period when nobody is chosen: every active agency of a kind that has a set.

    Inactive agencies (merged in the 2025 reorganisation, or closed) never join a new period.
    """
    return list(Agency.objects.filter(kind__in=list(kinds), is_active=True).order_by("kind", "name"))


# ---- progress (Sở Nội vụ's monthly follow-up) -----------------------------------------------------------


@dataclass
class ProgressRow(ProgressFigures):
    assessment: Assessment
    leaves: int
    scored: int
    with_evidence: int
    points: Decimal
    max_points: Decimal
    deadline: datetime.datetime | None  # the agency's own: its extension where it has one, else the common one
    readable: bool = True  # whether the reader may open this sheet; its points are shown only then

    @property
    def extended(self) -> bool:
        """The agency works to an extension later than the period's common deadline."""
        extended_to = self.assessment.deadline_extended_to
        common = self.assessment.period.self_assessment_deadline
        return extended_to is not None and self.deadline == extended_to and extended_to != common

    @property
    def days_left(self) -> int | None:
        if self.deadline is None:
            return None
        return (timezone.localdate(self.deadline) - timezone.localdate()).days

    @property
    def days_overdue(self) -> int:
        return -self.days_left if self.days_left is not None and self.days_left < 0 else 0

    @property
    def overdue(self) -> bool:
        return self.assessment.state == AssessmentState.DRAFT and self.days_left is not None and self.days_left < 0


def progress_rows(
    period: Period, assessments: QuerySet[Assessment], *, readable: QuerySet[Assessment]
) -> list[ProgressRow]:
    """One row per assessment: 2 queries (assessments with agency, one grouped aggregate over scores).

    ``readable`` is what the reader may open (``permissions.visible_assessments``): each row is marked by an
    EXISTS against that very queryset, in the same query, so a row links to a sheet only by the rule that
    opens it. A row the reader may not open shows its progress but not its points.
    """
    own = Q(node__is_survey=False)
    applicable = own & Q(not_applicable=False)
    stats = {
        row["assessment_id"]: row
        for row in Score.objects.filter(assessment__in=assessments)
        .values("assessment_id")
        .annotate(
            leaves=Count("pk", filter=own),
            scored=Count("pk", filter=own & (Q(self_points__isnull=False) | Q(not_applicable=True))),
            with_evidence=Count(
                "pk",
                filter=own & (Q(not_applicable=True) | Q(Exists(EvidenceLink.objects.filter(score=OuterRef("pk"))))),
            ),
            points=Sum("self_points", filter=applicable),
            max_points=Sum("max_points", filter=applicable),
        )
    }
    rows = []
    marked = assessments.select_related("agency", "period").annotate(
        readable=Exists(readable.filter(pk=OuterRef("pk")))
    )
    for assessment in marked:
        s: Mapping[str, Any] = stats.get(assessment.pk, {})
        shown = bool(assessment.readable)
        rows.append(
            ProgressRow(
                assessment=assessment,
                leaves=s.get("leaves", 0),
                scored=s.get("scored", 0),
                with_evidence=s.get("with_evidence", 0),
                points=(s.get("points") or Decimal(0)) if shown else Decimal(0),
                max_points=(s.get("max_points") or Decimal(0)) if shown else Decimal(0),
                deadline=effective_deadline(period.self_assessment_deadline, assessment.deadline_extended_to),
                readable=shown,
            )
        )
    return rows


# ---- history (lịch sử thay đổi của một bản tự đánh giá) ------------------------------------------------

# ScoreChange.changes keys for evidence, written by the evidence services: [None, label] when a piece of
# evidence is attached to the leaf (new, or reused from another leaf), [label, None] when it is removed.
EVIDENCE_ADDED = "evidence_added"
EVIDENCE_REUSED = "evidence_reused"
EVIDENCE_REMOVED = "evidence_removed"

HISTORY_PAGE_SIZE = 300  # what the page showed before it was paged; a search in the page finds more

# The names the sheet gives its inputs (assessments.leaf_html.LABELS), not the model's field names.
_FIELD_LABELS = {
    "self_points": _lazy("Điểm tự chấm"),
    "answer_yes": _lazy("Kết quả"),
    "numerator": _lazy("Tử số"),
    "denominator": _lazy("Mẫu số"),
    "event_count": _lazy("Số lần bị trừ"),
    "note": _lazy("Thuyết minh"),
    "not_applicable": _lazy("Không áp dụng"),
    "not_applicable_reason": _lazy("Lý do không áp dụng"),
    EVIDENCE_ADDED: _lazy("Thêm tài liệu kiểm chứng"),
    EVIDENCE_REUSED: _lazy("Dùng lại tài liệu kiểm chứng"),
    EVIDENCE_REMOVED: _lazy("Gỡ tài liệu kiểm chứng"),
}
_BOOLEAN_VALUES = {
    "answer_yes": {"True": _lazy("Đạt"), "False": _lazy("Không đạt")},
}


@dataclass(frozen=True)
class FieldChange:
    label: str
    old: str
    new: str
    is_evidence: bool = False


@dataclass(frozen=True)
class HistoryEntry:
    """One line of the history page: a change of a leaf (scores, note, evidence) or a workflow move."""

    at: datetime.datetime
    change: ScoreChange | None = None
    transition: Transition | None = None

    @property
    def fields(self) -> list[FieldChange]:
        return [] if self.change is None else [_field_change(k, v) for k, v in self.change.changes.items()]


def _field_change(name: str, pair: object) -> FieldChange:
    old, new = pair if isinstance(pair, list | tuple) and len(pair) == 2 else (None, pair)
    known = _FIELD_LABELS.get(name)
    label = name
    if known is not None:
        label = str(known)
    else:
        try:
            field = Score._meta.get_field(name)
        except FieldDoesNotExist:
            pass
        else:
            label = str(getattr(field, "verbose_name", name)).capitalize()
    evidence = name in {EVIDENCE_ADDED, EVIDENCE_REUSED, EVIDENCE_REMOVED}
    return FieldChange(label, _display(name, old), _display(name, new), evidence)


def _display(name: str, value: object) -> str:
    """A stored history value ("0.25", "True") as the sheet shows it ("0,25", "Đạt"); "" for none."""
    if value is None or value == "":
        return ""
    text = str(value)
    if name in _BOOLEAN_VALUES:
        return str(_BOOLEAN_VALUES[name].get(text, text))
    try:
        field = Score._meta.get_field(name)
    except FieldDoesNotExist:
        return text
    if isinstance(field, BooleanField):
        return str({"True": _lazy("Có"), "False": _lazy("Không")}.get(text, text))
    if isinstance(field, DecimalField):
        try:
            return number_text(Decimal(text))
        except ArithmeticError:
            return text
    return text


@dataclass
class HistoryPage:
    page: Page  # of (kind, pk, time) keys: the paginator's figures and links
    entries: list[HistoryEntry]


def history_page(assessment: Assessment, page_number: str | None) -> HistoryPage:
    """The assessment's changes and transitions, newest first, one page of them: 4 queries whatever the
    length of the history (count, the page's keys from both tables in one UNION, the page's changes with
    their leaf and author, the page's transitions with their author)."""
    changes = (
        ScoreChange.objects.filter(assessment_id=assessment.pk)
        .annotate(kind=Value("c", output_field=CharField()), when=F("changed_at"))
        .values_list("kind", "pk", "when")
        .order_by()
    )
    transitions = (
        Transition.objects.filter(assessment_id=assessment.pk)
        .annotate(kind=Value("t", output_field=CharField()), when=F("at"))
        .values_list("kind", "pk", "when")
        .order_by()
    )
    keys = changes.union(transitions, all=True).order_by("-when", "-pk")
    page = Paginator(keys, HISTORY_PAGE_SIZE).get_page(page_number)
    rows = list(page.object_list)
    change_ids = [pk for kind, pk, _when in rows if kind == "c"]
    transition_ids = [pk for kind, pk, _when in rows if kind == "t"]
    loaded_changes = (
        ScoreChange.objects.select_related("changed_by", "score__node").in_bulk(change_ids) if change_ids else {}
    )
    loaded_transitions = Transition.objects.select_related("by").in_bulk(transition_ids) if transition_ids else {}
    entries = [
        HistoryEntry(at=when, change=loaded_changes[pk])
        if kind == "c"
        else HistoryEntry(at=when, transition=loaded_transitions[pk])
        for kind, pk, when in rows
    ]
    return HistoryPage(page=page, entries=entries)


def submitted_count(period: Period) -> int:
    """How many of the period's sheets have left the draft state (sent by their head, or further on)."""
    return period.assessments.exclude(state=AssessmentState.DRAFT).count()
