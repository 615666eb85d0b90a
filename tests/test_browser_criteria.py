"""The criteria pages as an administrator sees them, in headless Chromium (screenshots in test-artifacts/)."""

import pytest

from criteria.models import IndexSet
from organisations.models import Role

from .conftest import login
from .factories import PASSWORD, make_index_set, make_user, xlsx_bytes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_import_page_errors_then_success_then_admin(page, live_server, screenshot_dir, tmp_path):
    admin = make_user("quantri", Role.ADMIN, is_staff=True, is_superuser=True)
    login(page, live_server, admin.username, PASSWORD)

    page.goto(f"{live_server.url}/bo-chi-so/nhap/")
    assert page.locator("h1").inner_text() == "Nhập bộ chỉ số từ Excel"
    broken = tmp_path / "hong.xlsx"
    broken.write_bytes(
        xlsx_bytes(
            [
                ["Mã", "Nội dung", "Điểm tối đa"],
                ["1", "Chỉ đạo", 3],
                ["1.1", "A", "hai"],
                ["1.1", "B", 1],
                ["2.1", "C", 1],
            ]
        )
    )
    page.set_input_files("#id_file", str(broken))
    page.fill("#id_name", "Bộ thử nghiệm")
    page.select_option("#id_agency_kind", "department")
    page.fill("#id_year_from", "2026")
    page.click("main form[enctype] button[type=submit]")
    alert = page.locator(".alert-danger")
    assert "Không lưu gì cả: tệp có 3 lỗi." in alert.inner_text()
    assert "Dòng 3, cột «Điểm tối đa»: «hai» không phải là số" in alert.inner_text()
    page.screenshot(path=screenshot_dir / "import-errors.png", full_page=True)
    assert IndexSet.objects.count() == 0

    good = tmp_path / "tot.xlsx"
    good.write_bytes(xlsx_bytes([["Mã", "Nội dung", "Điểm tối đa"], ["1", "Chỉ đạo", "2,5"], ["1.1", "Kế hoạch", 2.5]]))
    page.set_input_files("#id_file", str(good))
    page.click("main form[enctype] button[type=submit]")
    page.wait_for_url("**/bo-chi-so/*/")
    assert "Đã nhập bộ chỉ số «Bộ thử nghiệm», phiên bản 1, với 2 mục." in page.locator(".alert-success").inner_text()
    assert "2,5" in page.locator("table").inner_text()

    sample = make_index_set(name="Bộ chỉ số mẫu", is_sample=True)
    page.goto(f"{live_server.url}/bo-chi-so/{sample.pk}/")
    page.screenshot(path=screenshot_dir / "criteria-detail.png", full_page=True)

    page.goto(f"{live_server.url}/admin/criteria/indexset/{sample.pk}/change/")
    assert "Cây chỉ số" in page.content()
    page.screenshot(path=screenshot_dir / "admin-indexset.png", full_page=True)
    page.goto(f"{live_server.url}/admin/criteria/node/?index_set__id__exact={sample.pk}")
    page.screenshot(path=screenshot_dir / "admin-nodes.png", full_page=True)
    assert page.locator("#result_list tbody tr").count() == sample.nodes.count()
