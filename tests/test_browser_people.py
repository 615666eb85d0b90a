"""An administrator manages agencies and accounts in headless Chromium (screenshots in test-artifacts/)."""

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from organisations.models import Agency, Role, RoleAssignment

from .conftest import login
from .factories import PASSWORD, make_agency, make_user
from .test_people import AGENCY_HEADER, USER_HEADER, workbook

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_admin_adds_a_user_and_imports_people(page, live_server, screenshot_dir, tmp_path):
    agency = make_agency("Sở Khoa học và Công nghệ", short_name="SKH&CN")
    make_agency("Sở Thông tin và Truyền thông", merged_into=agency, is_active=False, note="Hợp nhất năm 2025.")
    admin = make_user("quantri", Role.ADMIN, is_staff=True, last_name="Nguyễn Thị", first_name="Quản")
    login(page, live_server, admin.username, PASSWORD)

    page.click("nav >> text=Cơ quan")
    expect(page.locator("h1")).to_have_text("Cơ quan, đơn vị")
    page.select_option("#state", "all")
    page.click("main form[role=search] button")
    expect(page.locator("tbody")).to_contain_text("Đã hợp nhất")
    page.screenshot(path=screenshot_dir / "people-agencies.png", full_page=True)

    page.click("nav >> text=Người dùng")
    page.click("text=Thêm người dùng")
    page.fill("#id_username", "lan.nguyen")
    page.fill("#id_full_name", "Nguyễn Thị Lan")
    page.fill("#id_password", "Cchc@2026-lan")
    page.select_option("#id_officer_of", label="Sở Khoa học và Công nghệ")
    page.screenshot(path=screenshot_dir / "people-user-form.png", full_page=True)
    page.click("main form button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("Đã lưu tài khoản «lan.nguyen».")
    expect(page.locator("tbody")).to_contain_text("Nguyễn Thị Lan")
    user = get_user_model().objects.get(username="lan.nguyen")
    assert list(RoleAssignment.objects.filter(user=user).values_list("role", "agency_id")) == [("officer", agency.pk)]
    page.screenshot(path=screenshot_dir / "people-users.png", full_page=True)

    broken = tmp_path / "nguoi-dung.xlsx"
    broken.write_bytes(
        workbook(
            [AGENCY_HEADER, ["Sở Y tế", "SYT", "Sở ngành", "", "", ""]],
            [USER_HEADER, ["moi", "Trần Văn Mới", "", "Chuyên viên đơn vị", "Sở Y tế", ""]],
        )
    )
    page.click("text=Nhập từ Excel")
    page.set_input_files("#id_file", str(broken))
    page.click("main form[enctype] button[type=submit]")
    alert = page.locator(".alert-danger")
    expect(alert).to_contain_text("Không lưu gì cả: tệp có 2 lỗi.")
    expect(alert).to_contain_text("Trang «Cơ quan», dòng 2, cột «Loại»: «Sở ngành» không có")
    expect(alert).to_contain_text(
        "Trang «Người dùng», dòng 2, cột «Mật khẩu ban đầu»: Tài khoản mới cần mật khẩu ban đầu."
    )
    page.screenshot(path=screenshot_dir / "people-import-errors.png", full_page=True)
    assert not Agency.objects.filter(name="Sở Y tế").exists()
