"""The set editor: an administrator changes a set no period uses, in one table, under the import's tree
rules, all or nothing; frozen sets and other users are refused with nothing changed."""

from decimal import Decimal
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from criteria.forms import editor_initial
from criteria.jsonio import load_index_set_file
from criteria.models import IndexSet, RatioTier
from criteria.services import index_set_freeze, index_set_replace_nodes, rows_from_index_set
from criteria.tree import NodeRow

from .factories import compact_rows, make_index_set

pytestmark = pytest.mark.django_db
D = Decimal
DEPARTMENT_SET = Path(__file__).resolve().parent.parent / "fixtures" / "indexset_department.json"


@pytest.fixture
def index_set(db):
    return make_index_set()


def edit_url(index_set: IndexSet) -> str:
    return reverse("criteria:edit", args=[index_set.pk])


def current_rows(index_set: IndexSet) -> list[dict[str, object]]:
    """The editor's rows for the set as stored, keyed by code, in the order the page shows them."""
    rows = rows_from_index_set(index_set)
    leaves = set(index_set.nodes.filter(is_leaf=True).values_list("code", flat=True))
    return editor_initial(rows, leaves)


def post_data(rows: list[dict[str, object]], *, initial: int | None = None) -> dict[str, str]:
    """What the browser sends for these rows: text as typed, ticked boxes as «on», unticked ones absent."""
    data = {
        "r-TOTAL_FORMS": str(len(rows)),
        "r-INITIAL_FORMS": str(len(rows) if initial is None else initial),
        "r-MIN_NUM_FORMS": "0",
        "r-MAX_NUM_FORMS": "5000",
    }
    for i, row in enumerate(rows):
        for key, value in row.items():
            if value is True:
                data[f"r-{i}-{key}"] = "on"
            elif value not in (False, None):
                data[f"r-{i}-{key}"] = str(value)
    return data


def change(rows: list[dict[str, object]], code: str, /, **values: object) -> list[dict[str, object]]:
    for row in rows:
        if row["orig_code"] == code:
            row.update(values)
            return rows
    raise AssertionError(code)


def snapshot(index_set: IndexSet) -> list[NodeRow]:
    return rows_from_index_set(index_set)


def test_edit_a_title_and_points(client, users, index_set):
    client.force_login(users["admin"])
    page = client.get(edit_url(index_set)).text
    assert 'value="1.1"' in page and "Kế hoạch CCHC năm" in page and 'name="r-0-code"' in page
    rows = current_rows(index_set)
    change(rows, "1.1", title="Kế hoạch CCHC năm (sửa)", max_points="1,5", guidance="Đúng hạn: 1,5 điểm")
    change(rows, "1", max_points="3,5")
    response = client.post(edit_url(index_set), post_data(rows))
    assert response.status_code == 302 and response["Location"] == reverse("criteria:detail", args=[index_set.pk])
    node = index_set.nodes.get(code="1.1")
    assert (node.title, node.max_points, node.guidance) == ("Kế hoạch CCHC năm (sửa)", D("1.5"), "Đúng hạn: 1,5 điểm")
    assert index_set.nodes.get(code="1").max_points == D("3.5")
    # Everything else is as it was: the same rows apart from the two edited.
    after = {r.code: r for r in snapshot(index_set)}
    before = {r.code: r for r in compact_rows()}
    assert set(after) == set(before)
    assert [c for c in before if (after[c].title, after[c].max_points) != (before[c].title, before[c].max_points)] == [
        "1",
        "1.1",
    ]
    assert after["1.3"].tiers == before["1.3"].tiers


def test_text_is_escaped_in_the_editor(client, users, index_set):
    client.force_login(users["admin"])
    rows = change(current_rows(index_set), "1.1", title='"><script>alert(1)</script>', lead_agency="Sở <Tư pháp>")
    assert client.post(edit_url(index_set), post_data(rows)).status_code == 302
    page = client.get(edit_url(index_set)).text
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert 'value="Sở &lt;Tư pháp&gt;"' in page


def test_add_a_row_then_a_node(client, users, index_set):
    client.force_login(users["admin"])
    rows = current_rows(index_set)
    response = client.post(edit_url(index_set), post_data(rows) | {"add_row": "1"})
    assert response.status_code == 200
    assert 'name="r-TOTAL_FORMS" value="12"' in response.text and 'name="r-11-code"' in response.text
    assert "Chưa lưu" not in response.text and index_set.nodes.count() == 11  # nothing checked or saved yet
    rows.append(
        {
            "orig_code": "",
            "code": "1.4",
            "title": "Tỷ lệ văn bản điện tử",
            "max_points": "1",
            "method": "ratio",
            "tiers": "0-70: 0; 70-100: 1",
        }
    )
    change(rows, "1", max_points="4")
    response = client.post(edit_url(index_set), post_data(rows, initial=11))
    assert response.status_code == 302
    added = index_set.nodes.get(code="1.4")
    assert (added.parent.code, added.method, added.is_leaf, added.depth) == ("1", "ratio", True, 2)
    assert [(t.lower_pct, t.upper_pct, t.points) for t in added.tiers.all()] == [(0, 70, 0), (70, 100, 1)]
    # In code order, whatever the row's place on the page: 1.4 comes before domain 2.
    codes = list(index_set.nodes.order_by("position").values_list("code", flat=True))
    assert codes.index("1.4") == codes.index("1.3") + 1


def test_move_a_node_by_its_code_and_its_children_follow(client, users, index_set):
    client.force_login(users["admin"])
    rows = current_rows(index_set)
    change(rows, "2.1.1", code="2.2")  # 2.1.1 and its child 2.1.1.1 become 2.2 and 2.2.1
    change(rows, "2.1", max_points="1")
    response = client.post(edit_url(index_set), post_data(rows))
    assert response.status_code == 302, response.text
    nodes = {n.code: n for n in index_set.nodes.select_related("parent")}
    assert "2.1.1" not in nodes and "2.1.1.1" not in nodes
    assert nodes["2.2"].parent.code == "2" and nodes["2.2"].title == "Kế hoạch theo dõi"
    assert nodes["2.2.1"].parent.code == "2.2" and nodes["2.2.1"].step == D("0.5")
    assert nodes["2.2.1"].title == "Ban hành kế hoạch theo dõi tình hình thi hành pháp luật"
    positions = [n.code for n in sorted(nodes.values(), key=lambda n: n.position)]
    assert positions == ["1", "1.1", "1.2", "1.3", "2", "2.1", "2.1.2", "2.2", "2.2.1", "3", "3.1"]


def test_remove_nodes_and_their_children(client, users, index_set):
    client.force_login(users["admin"])
    rows = current_rows(index_set)
    change(rows, "1.3", DELETE=True)
    change(rows, "1", max_points="2")
    change(rows, "2.1.1", DELETE=True)  # its child 2.1.1.1 goes with it
    change(rows, "2.1", max_points="1")
    change(rows, "2", max_points="1")
    response = client.post(edit_url(index_set), post_data(rows))
    assert response.status_code == 302, response.text
    assert list(index_set.nodes.order_by("position").values_list("code", flat=True)) == [
        "1",
        "1.1",
        "1.2",
        "2",
        "2.1",
        "2.1.2",
        "3",
        "3.1",
    ]
    assert not RatioTier.objects.filter(node__index_set=index_set).exists()  # 1.3's tiers are gone with it


def test_an_invalid_tree_is_refused_with_nothing_changed_and_everything_typed_kept(client, users, index_set):
    before = snapshot(index_set)
    node_ids = set(index_set.nodes.values_list("pk", flat=True))
    client.force_login(users["admin"])
    rows = current_rows(index_set)
    change(rows, "1.1", max_points="3", title="Tiêu đề mới đang gõ")  # children of «1» now exceed its 3 points
    change(rows, "1.2", code="1.3")  # duplicate code
    change(rows, "2.1.2", method="deduction", deduction_per_event="")  # deduction without points per event
    response = client.post(edit_url(index_set), post_data(rows))
    assert response.status_code == 400
    text = response.text
    assert "Chưa lưu: hãy sửa các ô được đánh dấu đỏ." in text
    assert "Tổng điểm tối đa của các mục con của «1» là" in text
    assert "Mã «1.3» bị trùng" in text
    assert "Mục «2.1.2» chấm theo trừ điểm nên cần số điểm trừ mỗi lần (lớn hơn 0)." in text
    # The messages sit in their rows, and what was typed is shown again.
    assert text.count('class="table-danger"') == 3
    assert "Tiêu đề mới đang gõ" in text and 'name="r-1-max_points" value="3"' in text
    assert 'name="r-2-code" value="1.3"' in text
    assert snapshot(index_set) == before and set(index_set.nodes.values_list("pk", flat=True)) == node_ids


def test_unreadable_numbers_and_tiers_are_refused_under_their_inputs(client, users, index_set):
    before = snapshot(index_set)
    client.force_login(users["admin"])
    rows = current_rows(index_set)
    change(rows, "1.1", max_points="hai")
    change(rows, "1.3", tiers="từ 0 đến 50")
    change(rows, "2.1.1.1", step="0,125")
    response = client.post(edit_url(index_set), post_data(rows))
    assert response.status_code == 400
    assert "«hai» không phải là số; nhập một số, ví dụ 12,5." in response.text
    assert "không đọc được bậc «từ 0 đến 50»" in response.text
    assert "«0,125» có quá 2 chữ số thập phân." in response.text
    assert 'value="hai"' in response.text
    assert snapshot(index_set) == before


def test_a_frozen_set_is_refused_with_the_reason(client, users, index_set):
    index_set_freeze(index_set=index_set)
    before = snapshot(index_set)
    client.force_login(users["admin"])
    response = client.get(edit_url(index_set))
    assert response.status_code == 409
    assert "đang được kỳ đánh giá sử dụng nên đã bị khóa" in response.text and 'name="r-0-code"' not in response.text
    rows = change(current_rows(index_set), "1.1", title="Sửa lén")
    assert client.post(edit_url(index_set), post_data(rows)).status_code == 409
    assert snapshot(index_set) == before
    # The detail page offers no «Sửa» for it.
    assert edit_url(index_set) not in client.get(reverse("criteria:detail", args=[index_set.pk])).text


def test_the_service_refuses_a_set_frozen_since_the_page_was_loaded(index_set):
    stale = IndexSet.objects.get(pk=index_set.pk)  # loaded before the period froze it
    index_set_freeze(index_set=index_set)
    with pytest.raises(ValidationError, match="đã bị khóa"):
        index_set_replace_nodes(index_set=stale, rows=compact_rows()[:2])
    assert index_set.nodes.count() == 11


@pytest.mark.parametrize("role", ["reviewer", "leadership", "head", "officer", "no_role"])
def test_only_an_administrator_edits(client, users, index_set, role):
    before = snapshot(index_set)
    client.force_login(users[role])
    assert client.get(edit_url(index_set)).status_code == 403
    rows = change(current_rows(index_set), "1.1", title="Sửa lén")
    assert client.post(edit_url(index_set), post_data(rows)).status_code == 403
    assert snapshot(index_set) == before
    assert edit_url(index_set) not in client.get(reverse("criteria:detail", args=[index_set.pk])).text


def test_query_counts_on_the_department_set(client, users, django_assert_num_queries):
    index_set = load_index_set_file(DEPARTMENT_SET)
    assert index_set.nodes.filter(is_leaf=True).count() >= 100
    client.force_login(users["admin"])
    # session, user, roles, the set, its nodes, their tiers, the unread notices for the menu's badge
    with django_assert_num_queries(7):
        page = client.get(edit_url(index_set))
    assert page.status_code == 200
    rows = current_rows(index_set)
    leaf = next(r for r in rows if r["method"] == "manual")
    change(rows, str(leaf["orig_code"]), title="Tiêu đề đã sửa")
    # session, user, roles, the set; in the transaction (savepoint + release): the set locked, the old tree
    # deleted by Django's collector (the nodes, their children through «parent» and «domain», the scores
    # (by node and by domain), review assignments and survey scores that would protect them, one delete of
    # tiers, two of nodes), one bulk insert per level (4), the domains' own key, and one insert of tiers
    with django_assert_num_queries(23):
        response = client.post(edit_url(index_set), post_data(rows))
    assert response.status_code == 302
    assert index_set.nodes.get(code=leaf["code"]).title == "Tiêu đề đã sửa"
    assert index_set.nodes.count() == len(rows)
