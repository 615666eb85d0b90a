"""Every rule of a criteria tree, with the exact message an officer reads."""

from dataclasses import replace

import pytest

from criteria.models import IndexSet, Node, RatioTier
from criteria.services import index_set_create
from criteria.tree import NodeRow, RowError, TierRow, TreeInvalid, parse_tiers, validate_rows

from .factories import D, compact_rows


def numbered(rows: list[NodeRow]) -> list[NodeRow]:
    return [replace(r, row=i) for i, r in enumerate(rows, start=2)]


def messages_of(rows: list[NodeRow]) -> list[str]:
    return [str(e) for e in validate_rows(numbered(rows))]


def with_change(code: str, **changes: object) -> list[NodeRow]:
    return [replace(r, **changes) if r.code == code else r for r in compact_rows()]


def test_compact_tree_is_valid():
    assert validate_rows(compact_rows()) == []


def test_empty_set():
    assert [str(e) for e in validate_rows([])] == ["Bộ chỉ số không có mục nào."]


@pytest.mark.parametrize("code", ["1.a", "1..2", "", "1.2.3.4.5", "A", "1.2 "])
def test_code_format(code):
    rows = [*compact_rows(), NodeRow(code=code, title="x", max_points=D(0))]
    assert messages_of(rows) == [
        f"Dòng 13, cột «Mã»: Mã «{code}» không hợp lệ: dùng các số nối bằng dấu chấm, tối đa 4 cấp "
        "(ví dụ 1, 1.2, 1.2.3, 2.1.1.1)."
    ]


def test_duplicate_code_names_the_first_row():
    rows = [*compact_rows(), NodeRow(code="1.1", title="Trùng", max_points=D(1))]
    assert "Dòng 13, cột «Mã»: Mã «1.1» bị trùng (đã có ở dòng 3)." in messages_of(rows)


def test_orphan_code():
    rows = [*compact_rows(), NodeRow(code="4.1", title="Mồ côi", max_points=D(1))]
    assert messages_of(rows) == ["Dòng 13, cột «Mã»: Mã «4.1» không có mục cha «4» trong bộ chỉ số."]


def test_child_before_parent():
    rows = compact_rows()
    rows.insert(0, rows.pop(1))  # 1.1 now stands above 1
    assert messages_of(rows) == ["Dòng 2, cột «Mã»: Mục «1.1» phải đứng sau mục cha «1»."]


def test_parent_max_must_equal_sum_of_children():
    assert messages_of(with_change("1", max_points=D("3.5"))) == [
        "Dòng 2, cột «Điểm tối đa»: Tổng điểm tối đa của các mục con của «1» là 3, khác điểm tối đa của mục này (3,5)."
    ]


def test_sum_rule_holds_at_the_fourth_level():
    assert messages_of(with_change("2.1.1.1", max_points=D("0.75"))) == [
        "Dòng 8, cột «Điểm tối đa»: Tổng điểm tối đa của các mục con của «2.1.1» là 0,75, "
        "khác điểm tối đa của mục này (1)."
    ]


def test_negative_points():
    rows = with_change("1.1", max_points=D(-1))
    assert "Dòng 3, cột «Điểm tối đa»: Mục «1.1»: điểm tối đa không được âm." in messages_of(rows)


def test_more_than_two_decimals():
    rows = [*compact_rows(), NodeRow(code="4", title="Thêm", max_points=D("1.125"))]
    assert messages_of(rows) == ["Dòng 13, cột «Điểm tối đa»: Mục «4»: điểm tối đa chỉ có tối đa 2 chữ số thập phân."]


def test_empty_title():
    assert messages_of(with_change("1.2", title="  ")) == [
        "Dòng 4, cột «Nội dung»: Mục «1.2»: nội dung không được để trống."
    ]


def test_parent_may_not_have_a_method():
    assert messages_of(with_change("1", method="manual")) == [
        "Dòng 2, cột «Phương pháp chấm»: Mục «1» có mục con nên không chấm trực tiếp; để trống cột «Phương pháp chấm»."
    ]


def test_ratio_needs_tiers():
    assert messages_of(with_change("1.3", tiers=[])) == [
        "Dòng 5, cột «Bậc tỷ lệ»: Mục «1.3» chấm theo tỷ lệ nên cần bảng bậc tỷ lệ (từ 0 % đến 100 %)."
    ]


def test_tiers_only_on_ratio():
    rows = with_change("1.1", tiers=[TierRow(D(0), D(100), D(1))])
    assert messages_of(rows) == ["Dòng 3, cột «Bậc tỷ lệ»: Mục «1.1»: chỉ mục chấm theo tỷ lệ mới có bậc tỷ lệ."]


@pytest.mark.parametrize(
    ("tiers", "message"),
    [
        ("10-50: 0; 50-100: 1", "các bậc tỷ lệ phải bắt đầu từ 0 % (bậc đầu tiên bắt đầu từ 10 %)."),
        ("0-50: 0; 60-100: 1", "các bậc tỷ lệ bị hở từ 50 % đến 60 %."),
        ("0-50: 0; 40-100: 1", "các bậc tỷ lệ chồng lên nhau từ 40 % đến 50 %."),
        ("0-50: 0; 50-90: 1", "các bậc tỷ lệ phải kết thúc ở 100 % (bậc cuối kết thúc ở 90 %)."),
        ("0-50: 0; 50-100: 1,5", "điểm của bậc «50–100 %» (1,5) vượt điểm tối đa (1)."),
        ("0-0: 0; 0-100: 1", "bậc «0–0 %» không hợp lệ: cận dưới phải nhỏ hơn cận trên."),
    ],
)
def test_tier_coverage(tiers, message):
    assert messages_of(with_change("1.3", tiers=parse_tiers(tiers))) == [
        f"Dòng 5, cột «Bậc tỷ lệ»: Mục «1.3»: {message}"
    ]


def test_tier_text_that_cannot_be_read():
    with pytest.raises(ValueError, match="không đọc được bậc «0 đến 50»"):
        parse_tiers("0 đến 50")


def test_deduction_needs_points_per_event():
    assert messages_of(with_change("2.1.2", deduction_per_event=None)) == [
        "Dòng 10, cột «Điểm trừ mỗi lần»: Mục «2.1.2» chấm theo trừ điểm nên cần số điểm trừ mỗi lần (lớn hơn 0)."
    ]


def test_survey_flag_follows_the_parent():
    assert messages_of(with_change("3.1", is_survey=False)) == [
        "Dòng 12, cột «Điều tra XHH»: Mục «3.1» và mục cha «3» phải cùng là (hoặc cùng không là) phần điều tra xã hội học."
    ]


def test_all_errors_are_reported_together():
    rows = with_change("1", max_points=D(9))
    rows += [NodeRow(code="1.1", title="Trùng", max_points=D(1)), NodeRow(code="9.9", title="x", max_points=D(1))]
    assert len(validate_rows(numbered(rows))) == 3


@pytest.mark.django_db
def test_invalid_tree_saves_nothing():
    with pytest.raises(TreeInvalid) as exc:
        index_set_create(name="Hỏng", agency_kind="department", year_from=2026, rows=with_change("1", max_points=D(9)))
    assert exc.value.errors == [
        RowError(
            None, "Điểm tối đa", "Tổng điểm tối đa của các mục con của «1» là 3, khác điểm tối đa của mục này (9)."
        )
    ]
    assert (IndexSet.objects.count(), Node.objects.count(), RatioTier.objects.count()) == (0, 0, 0)


@pytest.mark.django_db
def test_metadata_errors_use_field_labels():
    with pytest.raises(TreeInvalid) as exc:
        index_set_create(name="", agency_kind="xyz", year_from=2026, rows=compact_rows())
    texts = [str(e) for e in exc.value.errors]
    assert "cột «tên bộ chỉ số»: Trường này không được để trắng." in texts
    assert any(t.startswith("cột «loại cơ quan áp dụng»:") and "xyz" in t for t in texts)


@pytest.mark.django_db
def test_valid_tree_is_saved_with_structure(django_assert_num_queries):
    # Constant whatever the size of the set: 1 read of the family's highest version, 3 savepoints + their 3
    # releases (atomic, full_clean, the insert that retries on a version taken meanwhile), 1 check of the
    # years constraint and 1 of the version's uniqueness (full_clean), 1 insert of the set, 1 bulk insert
    # per level (4 levels), 1 update giving the domains their own key, 1 of tiers.
    with django_assert_num_queries(16):
        index_set = index_set_create(name="Bộ thử", agency_kind="department", year_from=2026, rows=compact_rows())
    nodes = {n.code: n for n in index_set.nodes.select_related("parent")}
    assert nodes["2.1.1.1"].parent.code == "2.1.1" and nodes["2.1.1.1"].depth == 4
    # Every node carries its domain (level 1) as a key; a domain is its own.
    assert nodes["2.1.1.1"].domain_id == nodes["2"].pk and nodes["2"].domain_id == nodes["2"].pk
    assert [c for c, n in nodes.items() if n.is_leaf] == ["1.1", "1.2", "1.3", "2.1.1.1", "2.1.2", "3.1"]
    assert nodes["1"].method == "" and nodes["1.1"].method == "manual"
    assert [(t.lower_pct, t.upper_pct, t.points) for t in nodes["1.3"].tiers.all()] == [
        (D(0), D(50), D(0)),
        (D(50), D(80), D("0.5")),
        (D(80), D(100), D(1)),
    ]
