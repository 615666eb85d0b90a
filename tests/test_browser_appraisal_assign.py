"""The assignment page in headless Chromium on the department set: screenshots at desktop and phone width,
and one assignment made through the form."""

import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from appraisal.models import ReviewAssignment
from appraisal.services import assignment_save
from criteria.jsonio import load_index_set_file
from organisations.models import Agency, Role

from .conftest import login
from .factories import PASSWORD, make_agency, make_user, open_period

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def department_period(admin):
    """Eight departments of the sample province, four lead agencies' reviewers, seed 003's split, domain 7
    left to assign."""
    listed = json.loads((FIXTURES / "agencies.json").read_text(encoding="utf-8"))["agencies"]
    departments = [a for a in listed if a["kind"] == "department"][:8]
    # The users fixture already made two of them (Sở Khoa học và Công nghệ, Sở Tư pháp).
    agencies = {
        a["short_name"]: Agency.objects.filter(name=a["name"]).first() or make_agency(a["name"]) for a in departments
    }
    for short_name, agency in agencies.items():
        Agency.objects.filter(pk=agency.pk).update(short_name=short_name)
        agency.short_name = short_name
    index_set = load_index_set_file(FIXTURES / "indexset_department.json")
    period = open_period(*agencies.values(), index_set=index_set)
    people = {
        "an": make_user("td.an", Role.REVIEWER, agencies["SNV"], last_name="Nguyễn Văn", first_name="An"),
        "bich": make_user("td.bich", Role.REVIEWER, agencies["VP UBND"], last_name="Trần Thị", first_name="Bích"),
        "chau": make_user("td.chau", Role.REVIEWER, agencies["STP"], last_name="Lê Minh", first_name="Châu"),
        "dung": make_user("td.dung", Role.REVIEWER, agencies["STC"], last_name="Phạm Quốc", first_name="Dũng"),
        "hoa": make_user("td.hoa", Role.REVIEWER, last_name="Đỗ Thu", first_name="Hoa"),
    }
    nodes = {n.code: n for n in index_set.nodes.all()}
    for code, kwargs in [
        ("1", {"team": agencies["SNV"]}),
        ("1.6", {"reviewer": people["chau"]}),
        ("1.7", {"reviewer": people["chau"]}),
        ("2", {"team": agencies["STP"]}),
        ("3", {"team": agencies["VP UBND"]}),
        ("3.3.3", {"reviewer": people["dung"]}),
        ("4", {"team": agencies["SNV"]}),
        ("5", {"reviewer": people["an"]}),
        ("6", {"team": agencies["STC"]}),
    ]:
        assignment_save(period=period, node=nodes[code], user=admin, **kwargs)
    assignment_save(period=period, node=nodes["1"], reviewer=people["bich"], for_agency=agencies["SNV"], user=admin)
    return period, nodes, people


@pytest.mark.parametrize("width", [1280, 390])
def test_assignment_page_at_desktop_and_phone_width(page, live_server, users, screenshot_dir, width):
    period, nodes, people = department_period(users["admin"])
    page.set_viewport_size({"width": width, "height": 900})
    login(page, live_server, "quantri", PASSWORD)
    page.goto(f"{live_server.url}/tham-dinh/ky/{period.pk}/phan-cong/")
    expect(page.locator("h1")).to_have_text("Phân công thẩm định")
    expect(page.locator("#chua-phan-cong")).to_contain_text("Tổ thẩm định Sở Nội vụ thuộc Sở Nội vụ")
    expect(page.locator(f"#muc-{nodes['1'].pk}")).to_contain_text("chỉ cho Sở Nội vụ")
    page.screenshot(path=screenshot_dir / f"appraisal-assign-{width}.png", full_page=True)
    # The page is no wider than the screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # Assign domain 7 to Đỗ Thu Hoa through the form, starting from the row's «Giao» link.
    page.locator(f"#muc-{nodes['7'].pk}").get_by_role("link", name="Giao").click()
    expect(page.locator("#id_node")).to_have_value(str(nodes["7"].pk))
    page.select_option("#id_assignee", f"r{people['hoa'].pk}")
    page.get_by_role("button", name="Giao", exact=True).click()
    expect(page.locator(f"#muc-{nodes['7'].pk}")).to_contain_text("Đỗ Thu Hoa")
    assert ReviewAssignment.objects.filter(period=period, node=nodes["7"], reviewer=people["hoa"]).exists()
    if width == 390:
        page.locator("#chua-phan-cong").screenshot(path=screenshot_dir / "appraisal-assign-uncovered-390.png")
        page.locator("#phan-cong").scroll_into_view_if_needed()
        page.screenshot(path=screenshot_dir / "appraisal-assign-form-390.png")
        page.locator(f"#muc-{nodes['1'].pk}").evaluate(
            "row => window.scrollTo(0, row.getBoundingClientRect().top + window.scrollY - 10)"
        )
        page.screenshot(path=screenshot_dir / "appraisal-assign-tree-390.png")
