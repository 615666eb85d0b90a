"""Reads for the reviewer's work: the queue of what is left, one sheet's assigned leaves, one leaf across
every agency. Each is a fixed number of queries whatever the number of agencies or leaves: the assignment
map is loaded once (appraisal.assignments) and every leaf is resolved in memory."""

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from assessments.models import Assessment, AssessmentState, Evidence, EvidenceKind, EvidenceLink, Period, Score
from assessments.scoring import ratio_percent
from criteria.models import Node, ScoringMethod
from organisations.roles import UserRoles
from parindex.templatetags.parindex import pts

from .assignments import AssignmentMap
from .models import AppraisalEntry, ExplanationAnswer, ExplanationRequest
from .rules import current_round

S = AssessmentState
# Sheets the council works on (or has worked on): a draft or a submitted sheet is not in appraisal yet.
IN_APPRAISAL = (S.UNDER_APPRAISAL, S.RETURNED, S.EXPLAINED, S.APPRAISED)
# Files a browser shows inside the page; the rest are downloaded (evidence.views.INLINE_TYPES).
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})


@dataclass(frozen=True)
class Viewer:
    """Who looks: a reviewer works on the leaves assigned to them; the administrator and leadership read
    every leaf and save nothing."""

    user_id: int
    roles: UserRoles
    writes: bool

    def sees(self, amap: AssignmentMap, leaf_id: int, agency_id: int) -> bool:
        return not self.writes or amap.may_appraise(self.user_id, self.roles, leaf_id, agency_id)


@dataclass
class WorkRow:
    """One leaf of one agency's sheet as the reviewer sees it."""

    assessment: Assessment
    score: Score
    round: int | None  # the round an appraisal would belong to now; None: nobody may appraise the sheet now
    editable: bool
    evidence: list[Evidence] = field(default_factory=list)
    last: AppraisalEntry | None = None
    requests: list[ExplanationRequest] = field(default_factory=list)
    answers: dict[int, ExplanationAnswer] = field(default_factory=dict)  # request id → its newest answer

    @property
    def node(self) -> Node:
        return self.score.node

    @property
    def asked(self) -> list[tuple[ExplanationRequest, ExplanationAnswer | None]]:
        """Each request with the agency's answer in force (None: not answered)."""
        return [(r, self.answers.get(r.pk)) for r in self.requests]

    @property
    def asked_since(self) -> datetime.datetime | None:
        return self.requests[0].requested_at if self.requests else None

    def _is_added(self, evidence: Evidence) -> bool:
        # After submission evidence reaches a leaf only with an explanation (explaining.evidence_refusal),
        # which needs a request: what came after the first request is what the agency added in answer.
        since = self.asked_since
        return since is not None and evidence.uploaded_at >= since

    @property
    def added_evidence(self) -> list[Evidence]:
        """Evidence the agency added with its explanation, shown under the answers."""
        return [e for e in self.evidence if self._is_added(e)]

    @property
    def pending(self) -> bool:
        """Still to appraise in the current round (what the «next» key jumps to)."""
        return self.round is not None and not self.score.not_applicable and self.score.appraisal_round != self.round

    @property
    def files(self) -> list[Evidence]:
        """Files given with the self-assessment (the added ones are under the answers)."""
        return [e for e in self.evidence if e.kind == EvidenceKind.FILE and not self._is_added(e)]

    @property
    def documents(self) -> list[Evidence]:
        return [e for e in self.evidence if e.kind == EvidenceKind.DOCUMENT and not self._is_added(e)]

    def inputs_text(self) -> str:
        """The method's inputs as the agency entered them ("45 / 60 (75 %)", "Đạt", "2 lần")."""
        s, method = self.score, self.score.node.method
        if method == ScoringMethod.RATIO and s.numerator is not None and s.denominator:
            return _("Tử số / mẫu số: %(n)s / %(d)s (%(pct)s %%)") % {
                "n": pts(s.numerator),
                "d": pts(s.denominator),
                "pct": pts(ratio_percent(s.numerator, s.denominator)),
            }
        if method == ScoringMethod.YES_NO and s.answer_yes is not None:
            return _("Đạt") if s.answer_yes else _("Không đạt")
        if method == ScoringMethod.DEDUCTION and s.event_count is not None:
            return _("Số lần bị trừ: %(n)s") % {"n": s.event_count}
        return ""


def _rows(scores: Iterable[Score], viewer: Viewer, amap: AssignmentMap) -> list[WorkRow]:
    """The rows the viewer sees among ``scores`` (each with its assessment and period loaded), with their
    evidence, last appraisal, requests and the agency's answers: 4 queries, whatever the number of rows."""
    rows: list[WorkRow] = []
    for score in scores:
        assessment = score.assessment
        if not viewer.sees(amap, score.node_id, assessment.agency_id):
            continue
        round_ = current_round(assessment)
        rows.append(WorkRow(assessment=assessment, score=score, round=round_, editable=viewer.writes and bool(round_)))
    by_score = {row.score.pk: row for row in rows}
    if not by_score:
        return rows
    ids = list(by_score)
    for link in EvidenceLink.objects.filter(score_id__in=ids).select_related("evidence").order_by("pk"):
        by_score[link.score_id].evidence.append(link.evidence)
    for entry in AppraisalEntry.objects.filter(score_id__in=ids).select_related("reviewer").order_by("at", "pk"):
        by_score[entry.score_id].last = entry  # the newest comes last
    score_of_request: dict[int, int] = {}
    for request in ExplanationRequest.objects.filter(score_id__in=ids).order_by("requested_at", "pk"):
        by_score[request.score_id].requests.append(request)
        score_of_request[request.pk] = request.score_id
    # Answers exist only once a sheet is returned; the agency may answer again until it sends (newest wins).
    for answer in (
        ExplanationAnswer.objects.filter(request__score_id__in=ids)
        .select_related("answered_by")
        .order_by("answered_at", "pk")
    ):
        by_score[score_of_request[answer.request_id]].answers[answer.request_id] = answer
    return rows


def sheet_rows(
    assessment: Assessment, viewer: Viewer, amap: AssignmentMap, *, only_score: int | None = None
) -> list[WorkRow]:
    """The leaves of one sheet the viewer works on, in tree order: 5 queries (scores, then ``_rows``)."""
    scores = (
        Score.objects.filter(assessment=assessment, node__is_survey=False)
        .select_related("node", "domain", "updated_by")
        .order_by("node__position")
    )
    if only_score is not None:
        scores = scores.filter(pk=only_score)
    loaded = list(scores)
    for score in loaded:
        score.assessment = assessment  # with its period and agency, already loaded
    return _rows(loaded, viewer, amap)


def criterion_rows(period: Period, node: Node, viewer: Viewer, amap: AssignmentMap) -> list[WorkRow]:
    """One leaf on every sheet of the period in appraisal that the viewer works on, by agency name:
    5 queries (scores with their agencies, then ``_rows``)."""
    scores = list(
        Score.objects.filter(node=node, assessment__period=period, assessment__state__in=IN_APPRAISAL)
        .select_related("assessment__agency", "updated_by")
        .order_by("assessment__agency__name", "pk")
    )
    for score in scores:
        score.node = node
        score.assessment.period = period
    return _rows(scores, viewer, amap)


# ---- the queue ------------------------------------------------------------------------------------------


@dataclass
class Count:
    left: int = 0
    total: int = 0

    @property
    def done(self) -> int:
        return self.total - self.left


@dataclass
class LeafCount(Count):
    node: Node | None = None


@dataclass
class DomainCount(Count):
    node: Node | None = None
    first_leaf: Node | None = None  # where the by-criterion view starts: the first leaf with work left


@dataclass
class AgencyCount(Count):
    assessment: Assessment | None = None


@dataclass
class PeriodWork:
    period: Period
    leaves: list[LeafCount]
    domains: list[DomainCount]
    agencies: list[AgencyCount]

    @property
    def left(self) -> int:
        return sum(a.left for a in self.agencies)

    @property
    def total(self) -> int:
        return sum(a.total for a in self.agencies)


def period_work(period: Period, viewer: Viewer, amap: AssignmentMap) -> PeriodWork:
    """What is left to appraise in the current round, per leaf, domain and agency, among the leaves the
    viewer sees: 3 queries (sheets, one row per appraisable score, the nodes of the period's sets)."""
    assessments = {
        a.pk: a
        for a in period.assessments.filter(state__in=IN_APPRAISAL).select_related("agency").order_by("agency__name")
    }
    rounds = {}
    for assessment in assessments.values():
        assessment.period = period
        rounds[assessment.pk] = current_round(assessment)
    leaves: dict[int, LeafCount] = {}
    domain_of: dict[int, int] = {}
    domains: dict[int, DomainCount] = {}
    agencies = {pk: AgencyCount(assessment=a) for pk, a in assessments.items()}
    scores = Score.objects.filter(
        assessment__period=period, assessment__state__in=IN_APPRAISAL, node__is_survey=False, not_applicable=False
    ).values_list("assessment_id", "node_id", "domain_id", "appraisal_round")
    for assessment_id, node_id, domain_id, appraised_round in scores:
        if not viewer.sees(amap, node_id, assessments[assessment_id].agency_id):
            continue
        round_ = rounds[assessment_id]
        left = int(round_ is not None and appraised_round != round_)
        domain_of[node_id] = domain_id
        for count in (
            leaves.setdefault(node_id, LeafCount()),
            domains.setdefault(domain_id, DomainCount()),
            agencies[assessment_id],
        ):
            count.total += 1
            count.left += left
    nodes = {
        n.pk: n
        for n in Node.objects.filter(pk__in=[*leaves, *domains]).only(
            "pk", "code", "title", "position", "index_set_id", "depth", "max_points", "method"
        )
    }
    leaf_list = sorted(leaves.items(), key=lambda item: (nodes[item[0]].index_set_id, nodes[item[0]].position))
    for node_id, count in leaf_list:
        count.node = nodes[node_id]
        domain = domains[domain_of[node_id]]
        if domain.first_leaf is None or (count.left and not leaves[domain.first_leaf.pk].left):
            domain.first_leaf = count.node
    for domain_id, count in domains.items():
        count.node = nodes[domain_id]
    return PeriodWork(
        period=period,
        leaves=[count for _pk, count in leaf_list],
        domains=sorted(domains.values(), key=lambda c: (c.node.index_set_id, c.node.position) if c.node else (0, 0)),
        agencies=[c for c in agencies.values() if c.total],
    )
