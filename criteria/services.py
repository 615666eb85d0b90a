"""Writes to criteria sets. Each validates everything first and saves all or nothing."""

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import IndexSet, Node, RatioTier, ScoringMethod
from .tree import COL_MAX, NodeRow, RowError, TierRow, TreeInvalid, validate_rows


def frozen_message(index_set: IndexSet) -> str:
    return _(
        "Bộ chỉ số «%(name)s» (phiên bản %(version)s) đang được kỳ đánh giá sử dụng nên đã bị khóa. "
        "Muốn thay đổi, hãy sao chép thành phiên bản mới rồi sửa trên bản sao."
    ) % {"name": index_set.name, "version": index_set.version}


def ensure_editable(index_set: IndexSet) -> None:
    if index_set.is_frozen:
        raise ValidationError(frozen_message(index_set), code="frozen")


def next_version(*, name: str, agency_kind: str) -> int:
    """The first free version number in the family of sets with this name and agency kind."""
    latest = IndexSet.objects.filter(name=name.strip(), agency_kind=agency_kind).aggregate(v=Max("version"))["v"]
    return (latest or 0) + 1


def _free_version(name: str, agency_kind: str, at_least: int) -> int:
    return max(next_version(name=name, agency_kind=agency_kind), at_least)


@transaction.atomic
def index_set_create(
    *,
    name: str,
    agency_kind: str,
    year_from: int,
    rows: Sequence[NodeRow],
    year_to: int | None = None,
    decision_number: str = "",
    decision_date: datetime.date | None = None,
    issuer: str = "",
    is_sample: bool = False,
    version: int | None = None,
    min_version: int = 1,
    copied_from: IndexSet | None = None,
) -> IndexSet:
    """Create a set and its whole tree in a constant number of queries (one bulk insert per level).

    ``version=None`` takes the next free version of the family (same name and agency kind): importing
    a set again, or copying one, never gives two sets that cannot be told apart (``min_version``: not
    below this number, for a copy that continues the numbering of its source). Raises TreeInvalid with
    every metadata and tree error (a version given and already taken is one); nothing is saved then.
    """
    auto_version = version is None
    index_set = IndexSet(
        name=name.strip(),
        agency_kind=agency_kind,
        year_from=year_from,
        year_to=year_to,
        decision_number=decision_number.strip(),
        decision_date=decision_date,
        issuer=issuer.strip(),
        is_sample=is_sample,
        version=_free_version(name, agency_kind, min_version) if version is None else version,
        copied_from=copied_from,
    )
    errors = _metadata_errors(index_set) + _row_errors(rows)
    if errors:
        raise TreeInvalid(errors)
    for attempt in range(3):
        try:
            with transaction.atomic():
                index_set.save()
            break
        except IntegrityError:
            # Another copy or import of the same family took this number since it was read: take the next.
            if not auto_version or attempt == 2:
                raise
            index_set.pk = None
            index_set.version = _free_version(name, agency_kind, min_version)
    _create_nodes(index_set, rows)
    return index_set


def _row_errors(rows: Sequence[NodeRow]) -> list[RowError]:
    """The tree rules, plus a row without points (the Excel import reports an unreadable «Điểm tối đa»
    cell itself and stops before this point; a JSON file or the editor with an empty one is refused here
    rather than by the database's NOT NULL)."""
    missing = [
        RowError(r.row, COL_MAX, f"Mục «{r.code}»: điểm tối đa không được để trống.")
        for r in rows
        if r.max_points is None
    ]
    return sorted(validate_rows(rows) + missing, key=lambda e: (e.row is not None, e.row or 0))


def _create_nodes(index_set: IndexSet, rows: Sequence[NodeRow]) -> None:
    """Insert valid rows as the set's tree: one bulk insert per level and one for the tiers."""
    parents = {r.parent_code for r in rows if r.parent_code}
    max_points = {r.code: r.max_points for r in rows if r.max_points is not None}  # all of them, once valid
    saved: dict[str, Node] = {}
    by_depth: dict[int, list[tuple[int, NodeRow]]] = {}
    for position, row in enumerate(rows, start=1):
        by_depth.setdefault(row.depth, []).append((position, row))
    for depth in sorted(by_depth):
        level = [
            Node(
                index_set=index_set,
                parent=saved[row.parent_code] if row.parent_code else None,
                domain_id=saved[row.parent_code].domain_id if row.parent_code else None,
                code=row.code,
                title=row.title.strip(),
                max_points=max_points[row.code],
                position=position,
                depth=depth,
                is_leaf=row.code not in parents,
                guidance=row.guidance.strip(),
                evidence_required=row.evidence_required.strip(),
                lead_agency=row.lead_agency.strip(),
                method="" if row.code in parents else (row.method or ScoringMethod.MANUAL),
                step=row.step,
                deduction_per_event=row.deduction_per_event,
                allow_not_applicable=row.allow_not_applicable,
                is_survey=row.is_survey,
            )
            for position, row in by_depth[depth]
        ]
        for node in Node.objects.bulk_create(level):
            saved[node.code] = node
            if node.parent is None:
                node.domain_id = node.pk
        if depth == 1:
            # A domain is its own domain; its key exists only once inserted. Below, the parent's is copied.
            Node.objects.filter(index_set=index_set, depth=1).update(domain_id=F("pk"))
    RatioTier.objects.bulk_create(
        RatioTier(node=saved[row.code], lower_pct=t.lower_pct, upper_pct=t.upper_pct, points=t.points)
        for row in rows
        for t in row.tiers
    )


def _metadata_errors(index_set: IndexSet) -> list[RowError]:
    try:
        index_set.full_clean(exclude=["copied_from"])
    except ValidationError as exc:
        labels = {f.name: str(f.verbose_name) for f in IndexSet._meta.fields}
        return [
            RowError(None, labels.get(field_name), message)
            for field_name, messages in exc.message_dict.items()
            for message in messages
        ]
    return []


def rows_from_index_set(index_set: IndexSet) -> list[NodeRow]:
    """The set as flat rows in tree order: what export writes and what a copy is made from."""
    return rows_from_nodes(index_set.nodes.order_by("position").prefetch_related("tiers"))


def rows_from_nodes(nodes: Iterable[Node]) -> list[NodeRow]:
    """Nodes (in tree order, tiers prefetched) as flat rows."""
    return [
        NodeRow(
            code=node.code,
            title=node.title,
            max_points=node.max_points,
            method=node.method,
            step=node.step,
            deduction_per_event=node.deduction_per_event,
            tiers=[TierRow(t.lower_pct, t.upper_pct, t.points) for t in node.tiers.all()],
            guidance=node.guidance,
            evidence_required=node.evidence_required,
            lead_agency=node.lead_agency,
            allow_not_applicable=node.allow_not_applicable,
            is_survey=node.is_survey,
        )
        for node in nodes
    ]


def index_set_copy(*, source: IndexSet, name: str | None = None) -> IndexSet:
    """A new, editable version of a set (the way to change a set that a period has frozen).

    It continues the numbering of the source's family, whichever version it was copied from (copying
    v2 after v3 exists gives v4, never a second v3), and under a new name skips the numbers that name
    already uses.
    """
    return index_set_create(
        name=name or source.name,
        agency_kind=source.agency_kind,
        year_from=source.year_from,
        year_to=source.year_to,
        decision_number=source.decision_number,
        decision_date=source.decision_date,
        issuer=source.issuer,
        is_sample=source.is_sample,
        copied_from=source,
        min_version=next_version(name=source.name, agency_kind=source.agency_kind),
        rows=rows_from_index_set(source),
    )


@transaction.atomic
def index_set_replace_nodes(*, index_set: IndexSet, rows: Sequence[NodeRow]) -> IndexSet:
    """Replace the whole tree of a set no period uses yet (the editor), under the import's rules.

    All or nothing: the set's row is locked first (a period being opened at the same moment freezes it
    either before, and this refuses with ``frozen_message``, or after this commits, and then uses the new
    tree), every rule is checked on the rows, and only then are the old nodes replaced. Raises
    ValidationError (frozen) or TreeInvalid (every error, tied to its row); nothing changes then.
    """
    locked = IndexSet.objects.select_for_update().get(pk=index_set.pk)
    ensure_editable(locked)
    errors = _row_errors(rows)
    if errors:
        raise TreeInvalid(errors)
    # Scores PROTECT their nodes: were any left from a period, this fails rather than dropping them.
    Node.objects.filter(index_set=locked).delete()
    _create_nodes(locked, rows)
    return locked


def index_set_freeze(*, index_set: IndexSet) -> None:
    """Called when a period starts using the set; from then on its scores refer to this exact tree."""
    if index_set.frozen_at is None:
        # A conditional UPDATE: it waits for an editor holding the set's row (index_set_replace_nodes),
        # so the period reads the tree only after that edit has committed, never half of it.
        now = timezone.now()
        IndexSet.objects.filter(pk=index_set.pk, frozen_at__isnull=True).update(frozen_at=now)
        index_set.frozen_at = now


def index_set_delete(*, index_set: IndexSet) -> None:
    ensure_editable(index_set)
    index_set.delete()


def set_totals(index_set: IndexSet) -> dict[str, Decimal]:
    """Scored (self-assessed and appraised) max and survey max: the denominators of the index."""
    totals = {"scored": Decimal(0), "survey": Decimal(0)}
    for is_survey, max_points in index_set.nodes.filter(depth=1).values_list("is_survey", "max_points"):
        totals["survey" if is_survey else "scored"] += max_points
    return totals
