"""The scoring sheet's leaf row, rendered with Jinja2 (parindex/jinja.py).

The sheet repeats this row for every leaf (about a hundred per agency) and Django's template engine
spends ~0,6 ms on each: most of the page's server time.
"""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from criteria.models import ScoringMethod
from parindex.jinja import ENV, local_datetime, url_maker
from parindex.names import full_name
from parindex.templatetags.parindex import pts

from .models import Assessment, Score
from .scoring import LeafInput, ScoreInputError, ratio_percent
from .selectors import SheetLeaf
from .services import ScoreEdit, score_outcome

LABELS = {
    "max": _("Tối đa"),
    "step": _("bước"),
    "minus": _("trừ"),
    "times": _("lần"),
    "guidance_and_evidence": _("Hướng dẫn chấm, tài liệu kiểm chứng"),
    "guidance": _("Hướng dẫn"),
    "tiers": _("Bậc tỷ lệ"),
    "evidence": _("Tài liệu kiểm chứng"),
    "view_evidence": _("Xem tài liệu"),
    "needs_note": _("Chưa có tài liệu kiểm chứng: đính kèm tài liệu hoặc ghi thuyết minh lý do để có thể gửi."),
    "survey": _("Điểm điều tra xã hội học do Sở Nội vụ nhập; đơn vị không tự chấm."),
    "self_points": _("Điểm tự chấm"),
    "result": _("Kết quả"),
    "yes": _("Đạt"),
    "no": _("Không đạt"),
    "numerator": _("Tử số"),
    "denominator": _("Mẫu số"),
    "count": _("Số lần"),
    "count_label": _("Số lần bị trừ"),
    "points": _("điểm"),
    "note_placeholder": _("Thuyết minh (ghi rõ kết quả, số liệu, lý do thiếu tài liệu…)"),
    "note": _("Thuyết minh"),
    "not_applicable": _("Không áp dụng"),
    "na_reason": _("Lý do không áp dụng"),
    "save": _("Lưu"),
    "saved_at": _("Lưu lúc"),
    "not_scored": _("Chưa chấm"),
    "not_saved": _("Chưa lưu"),
    "stale_choose": _("Các ô vẫn giữ những gì bạn đã nhập. So sánh hai bản rồi chọn:"),
    "stale_mine": _("Bạn đã nhập (chưa lưu)"),
    "keep_mine": _("Giữ bản của tôi và lưu đè"),
    "take_theirs": _("Lấy bản đã lưu, bỏ phần tôi nhập"),
    "field": _("Mục"),
    "points_label": _("Điểm"),
    "ratio_label": _("Tử số / mẫu số"),
    "reason": _("Lý do không áp dụng"),
    "yes_na": _("Có"),
    "no_na": _("Không"),
}
STALE = _("%(who)s vừa lưu tiêu chí này lúc %(when)s; giá trị của bạn chưa được lưu để không ghi đè lên người khác.")
STALE_THEIRS = _("Bản %(who)s đã lưu")


@dataclass(frozen=True)
class Result:
    """A short line about a row's score: what is stored, what a save would store, or why it would not.

    ``kind`` picks the colour: "saved", "preview", "success", "warning", "error", or "" for nothing to say.
    """

    kind: str
    text: str = ""


def _points_with_percent(node: Any, points: Decimal, numerator: Decimal | None, denominator: Decimal | None) -> str:
    if node.method == ScoringMethod.RATIO and numerator is not None and denominator:
        return gettext("%(percent)s %% → %(points)s điểm") % {
            "percent": pts(ratio_percent(numerator, denominator)),
            "points": pts(points),
        }
    return gettext("%(points)s điểm") % {"points": pts(points)}


def stored_result(score: Score) -> Result:
    """What the row holds in the database, said as such ("Điểm đã lưu: 0,75 điểm")."""
    if score.not_applicable:
        return Result("saved", gettext("Đã lưu: không áp dụng"))
    if score.self_points is None:
        return Result("saved", gettext("Chưa chấm"))
    points = _points_with_percent(score.node, score.self_points, score.numerator, score.denominator)
    return Result("saved", gettext("Điểm đã lưu: %(points)s") % {"points": points})


def _stored_input(score: Score) -> LeafInput:
    manual = score.node.method == ScoringMethod.MANUAL
    return LeafInput(
        self_points=score.self_points if manual else None,
        answer_yes=score.answer_yes,
        numerator=score.numerator,
        denominator=score.denominator,
        event_count=score.event_count,
    )


def preview_result(score: Score, edit: ScoreEdit | None, error: str | None = None) -> Result:
    """What saving the typed row would do, computed by the save's own rules (services.score_outcome).

    ``edit`` is None when the row could not even be read (``error`` says why).
    """
    node = score.node
    if edit is not None and edit.not_applicable and node.allow_not_applicable:
        try:
            score_outcome(node=node, edit=edit)
        except ScoreInputError as exc:  # the reason is missing: said after what will happen
            error = exc.message
        typed = edit.value != LeafInput()
        text = (
            gettext("Không áp dụng: điểm đã nhập sẽ không được tính và bị bỏ khi lưu.")
            if typed or score.self_points is not None
            else gettext("Không áp dụng: khi lưu, tiêu chí ra khỏi điểm tối đa.")
        )
        return Result("warning", f"{text} {error}" if error else text)
    if error is not None or edit is None:
        return Result("error", error or "")
    try:
        points = score_outcome(node=node, edit=edit)
    except ScoreInputError as exc:
        return Result("error", exc.message)
    if points is None:
        if score.self_points is not None and not score.not_applicable:
            return Result(
                "warning",
                gettext("Ô điểm trống: bấm Lưu sẽ xóa điểm đã lưu (%(points)s).") % {"points": pts(score.self_points)},
            )
        return Result("", "")
    if not score.not_applicable and points == score.self_points and edit.value == _stored_input(score):
        return stored_result(score)
    shown = _points_with_percent(node, points, edit.value.numerator, edit.value.denominator)
    return Result("preview", gettext("Khi lưu: %(points)s") % {"points": shown})


def saved_result(*, before: Decimal | None, edit: ScoreEdit, after: Score) -> Result:
    """The status after a save, naming what a clerk might not expect: a cleared score, a dropped one."""
    if after.not_applicable:
        if edit.value != LeafInput() or before is not None:
            return Result("warning", gettext("Đã lưu «không áp dụng»; điểm đã nhập không được tính và đã bỏ."))
        return Result("success", gettext("Đã lưu «không áp dụng»."))
    if after.self_points is None and before is not None:
        return Result(
            "warning",
            gettext("Đã xóa điểm (trước đó %(points)s); tiêu chí trở lại «chưa chấm».") % {"points": pts(before)},
        )
    return Result("success", gettext("Đã lưu"))


@dataclass(frozen=True)
class Difference:
    """One field of a row as the other person saved it and as this user typed it."""

    label: str
    theirs: str
    mine: str

    @property
    def differs(self) -> bool:
        return self.theirs.strip() != self.mine.strip()


class LeafRenderer:
    """Renders rows of one assessment; build one per request (labels in the active language)."""

    def __init__(self, assessment: Assessment, *, editable: bool) -> None:
        self.template = ENV.get_template("assessments/leaf.jinja")
        self.labels = {key: str(label) for key, label in LABELS.items()}
        self.base = {
            "a": assessment,
            "editable": editable,
            "t": self.labels,
            "methods": {value: str(label) for value, label in ScoringMethod.choices},
            "row_url": url_maker("assessments:leaf", assessment.pk),
            "save_url": url_maker("assessments:leaf_save", assessment.pk),
            "preview_url": url_maker("assessments:leaf_preview", assessment.pk),
            "panel_url": url_maker("evidence:panel", assessment.pk),
            "download_url": url_maker("evidence:download"),
        }
        self.result_template = ENV.get_template("assessments/leaf_result.jinja")

    def render(self, leaf: SheetLeaf, **extra: Any) -> SafeString:
        """One row; ``extra``: values (what the user typed), error, error_field, saved (a Result), and for a
        stale save: stale (the Score as stored now) and mine (the user's ScoreEdit, which lost the race)."""
        context = {
            "leaf": leaf,
            "s": leaf.score,
            "n": leaf.node,
            "values": None,
            "error": None,
            "error_field": None,
            "saved": None,
            "stale": None,
            "mine": None,
            "stale_message": "",
            "stale_theirs": "",
            "differences": [],
            **self.base,
            **extra,
        }
        context["v"] = context["values"] or leaf.display_values()
        context["result"] = stored_result(leaf.score)
        stale = context["stale"]
        if stale is not None:
            who = {"who": full_name(stale.updated_by), "when": local_datetime(stale.updated_at)}
            context["stale_message"] = STALE % who
            context["stale_theirs"] = STALE_THEIRS % who
            context["differences"] = self.differences(leaf, context["v"], context["mine"])
        return mark_safe(self.template.render(context))  # noqa: S308 - Jinja2 autoescapes every value

    def result(self, score: Score, result: Result) -> SafeString:
        """The result line alone, for the live preview."""
        return mark_safe(  # noqa: S308 - Jinja2 autoescapes every value
            self.result_template.render({"s": score, "result": result, **self.base})
        )

    def differences(self, leaf: SheetLeaf, mine: dict[str, str], edit: ScoreEdit | None) -> list[Difference]:
        """Every field of the row, theirs (stored now) beside mine (typed), for the stale-edit choice."""
        t, node, theirs = self.labels, leaf.node, leaf.display_values()
        answers = {"yes": t["yes"], "no": t["no"]}
        na = {True: t["yes_na"], False: t["no_na"]}

        def ratio(values: dict[str, str]) -> str:
            numerator, denominator = values["numerator"], values["denominator"]
            return f"{numerator}/{denominator}" if numerator or denominator else ""

        rows: list[Difference] = []
        if node.method == ScoringMethod.MANUAL:
            rows.append(Difference(t["self_points"], theirs["self_points"], mine["self_points"]))
        elif node.method == ScoringMethod.YES_NO:
            rows.append(
                Difference(t["result"], answers.get(theirs["answer_yes"], ""), answers.get(mine["answer_yes"], ""))
            )
        elif node.method == ScoringMethod.RATIO:
            rows.append(Difference(t["ratio_label"], ratio(theirs), ratio(mine)))
        elif node.method == ScoringMethod.DEDUCTION:
            rows.append(Difference(t["count_label"], theirs["event_count"], mine["event_count"]))
        if node.method != ScoringMethod.MANUAL:
            mine_points = ""
            if edit is not None:
                try:
                    mine_points = pts(score_outcome(node=node, edit=edit))
                except ScoreInputError as exc:
                    mine_points = exc.message
            rows.append(Difference(t["points_label"], pts(leaf.score.self_points), mine_points))
        if node.allow_not_applicable:
            rows.append(
                Difference(t["not_applicable"], na[bool(theirs["not_applicable"])], na[bool(mine["not_applicable"])])
            )
            rows.append(Difference(t["reason"], theirs["not_applicable_reason"], mine["not_applicable_reason"]))
        rows.append(Difference(t["note"], theirs["note"], mine["note"]))
        return rows
