"""Points for each scoring method, bounds and steps, and the index as the province computes it."""

from decimal import Decimal

import pytest

from assessments.scoring import (
    LeafInput,
    LeafState,
    ScoreInputError,
    compute_totals,
    final_index,
    leaf_points,
)
from criteria.models import Node, RatioTier

D = Decimal


def node(method: str, max_points: str = "1", **kwargs: object) -> Node:
    return Node(code="1.1", title="t", method=method, max_points=D(max_points), **kwargs)


TIERS = [
    RatioTier(lower_pct=D(0), upper_pct=D(50), points=D(0)),
    RatioTier(lower_pct=D(50), upper_pct=D(80), points=D("0.5")),
    RatioTier(lower_pct=D(80), upper_pct=D(100), points=D(1)),
]


@pytest.mark.parametrize(("value", "expected"), [("0", "0"), ("0.25", "0.25"), ("1", "1"), (None, None)])
def test_manual_within_bounds_on_step(value, expected):
    got = leaf_points(node("manual"), [], LeafInput(self_points=D(value) if value else None))
    assert got == (D(expected) if expected else None)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("1.25", "Điểm phải từ 0 đến 1."),
        ("-0.25", "Điểm phải từ 0 đến 1."),
        ("0.3", "Điểm phải là bội số của 0,25 (ví dụ 0; 0,25; 0,5…)."),
    ],
)
def test_manual_refuses_out_of_bounds_and_off_step(value, message):
    with pytest.raises(ScoreInputError) as exc:
        leaf_points(node("manual"), [], LeafInput(self_points=D(value)))
    assert exc.value.message == message


def test_manual_custom_step():
    n = node("manual", "2", step=D("0.5"))
    assert leaf_points(n, [], LeafInput(self_points=D("1.5"))) == D("1.5")
    with pytest.raises(ScoreInputError, match=r"bội số của 0,5"):
        leaf_points(n, [], LeafInput(self_points=D("1.25")))


def test_yes_no():
    n = node("yes_no", "1.5")
    assert leaf_points(n, [], LeafInput(answer_yes=True)) == D("1.5")
    assert leaf_points(n, [], LeafInput(answer_yes=False)) == 0
    assert leaf_points(n, [], LeafInput()) is None


@pytest.mark.parametrize(
    ("num", "den", "points"),
    [(0, 10, "0"), (49, 100, "0"), (50, 100, "0.5"), (79.99, 100, "0.5"), (80, 100, "1"), (10, 10, "1"), (2, 3, "0.5")],
)
def test_ratio_tiers_lower_bound_inclusive_last_includes_100(num, den, points):
    got = leaf_points(node("ratio"), TIERS, LeafInput(numerator=D(str(num)), denominator=D(str(den))))
    assert got == D(points)


@pytest.mark.parametrize(
    ("num", "den", "message", "field"),
    [
        (1, 0, "Mẫu số phải lớn hơn 0.", "denominator"),
        (11, 10, "Tử số không được lớn hơn mẫu số.", "numerator"),
        (-1, 10, "Tử số phải là số không âm.", "numerator"),
        (None, 10, "Nhập cả tử số và mẫu số.", "numerator"),
    ],
)
def test_ratio_refusals(num, den, message, field):
    with pytest.raises(ScoreInputError) as exc:
        leaf_points(node("ratio"), TIERS, LeafInput(numerator=None if num is None else D(num), denominator=D(den)))
    assert (exc.value.message, exc.value.field) == (message, field)


@pytest.mark.parametrize(("count", "points"), [(0, "1"), (1, "0.75"), (3, "0.25"), (4, "0"), (9, "0")])
def test_deduction_never_below_zero(count, points):
    n = node("deduction", deduction_per_event=D("0.25"))
    assert leaf_points(n, [], LeafInput(event_count=count)) == D(points)


def test_index_of_seed_004():
    # Ban Dân tộc tỉnh Quảng Ngãi 2022: domains 11,5/12,5; 10/10; 9,5/10,5; 6/6,5; 8/8; 8/8; 8,5/11 and 82,91/100.
    appraised = sum(D(x) for x in ("11.5", "10", "9.5", "6", "8", "8", "8.5"))
    applicable = sum(D(x) for x in ("12.5", "10", "10.5", "6.5", "8", "8", "11"))
    assert (appraised, applicable) == (D("61.5"), D("66.5"))
    # 82,91 total means 21,41 of the 33,5 survey points
    assert final_index(appraised=appraised, applicable_max=applicable, survey=D("21.41"), survey_max=D("33.5")) == D(
        "82.91"
    )
    assert final_index(appraised=appraised, applicable_max=applicable) == D("92.48")


def test_not_applicable_leaves_leave_score_and_max_survey_stays_out():
    leaves = [
        LeafState("1", D(2), D("1.5"), False, False, True),
        LeafState("1", D(1), None, True, False, False),  # not applicable: out of the max, counts as done
        LeafState("2", D(3), None, False, False, False),
        LeafState("3", D(5), D(4), False, True, False),  # survey: not the agency's
    ]
    totals = compute_totals(leaves, {"1": "Một", "2": "Hai"})
    assert (totals.overall.points, totals.overall.max_points) == (D("1.5"), D(5))
    assert (totals.overall.leaves, totals.overall.scored, totals.overall.with_evidence) == (3, 2, 2)
    assert totals.domains["1"].index == D("75.00")
    assert totals.overall.index == D("30.00")
    assert list(totals.domains) == ["1", "2"]
