"""Administrators' pages for agencies and users, and their all-or-nothing Excel import."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from organisations.models import Agency, Role, RoleAssignment
from organisations.people_excel import build_people_workbook, import_people
from parindex.xlsx import ImportInvalid

from .factories import PASSWORD, make_agency, make_user

pytestmark = pytest.mark.django_db

User = get_user_model()
ROLES = ["admin", "reviewer", "leadership", "head", "officer", "other_officer", "no_role"]
ONLY_ADMIN = dict.fromkeys(ROLES, 403) | {"admin": 200}


def people_urls(agency: Agency, user) -> dict[str, str]:
    return {
        "agencies": reverse("people:agencies"),
        "agency_add": reverse("people:agency_add"),
        "agency_edit": reverse("people:agency_edit", args=[agency.pk]),
        "users": reverse("people:users"),
        "user_add": reverse("people:user_add"),
        "user_edit": reverse("people:user_edit", args=[user.pk]),
        "import": reverse("people:import"),
        "template": reverse("people:template"),
        "export": reverse("people:export"),
    }


@pytest.mark.parametrize("role", ROLES)
def test_only_administrators_reach_the_people_pages(client, users, agency, role):
    client.force_login(users[role])
    for name, url in people_urls(agency, users["officer"]).items():
        assert client.get(url).status_code == ONLY_ADMIN[role], name
    # a POST is refused just the same, and changes nothing
    response = client.post(reverse("people:agency_edit", args=[agency.pk]), {"name": "Đổi tên", "kind": "department"})
    assert response.status_code == (302 if role == "admin" else 403)
    if role != "admin":
        assert Agency.objects.get(pk=agency.pk).name == "Sở Khoa học và Công nghệ"


def test_anonymous_is_sent_to_login(client, agency, users):
    for url in people_urls(agency, users["officer"]).values():
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/dang-nhap/")


def test_admin_creates_an_agency_and_records_a_merger(client, users, agency):
    client.force_login(users["admin"])
    response = client.post(
        reverse("people:agency_add"),
        {"name": "  Sở Thông tin   và Truyền thông ", "short_name": "STTTT", "kind": "department", "is_active": "on"},
    )
    assert response.status_code == 302
    created = Agency.objects.get(short_name="STTTT")
    assert created.name == "Sở Thông tin và Truyền thông" and created.is_active
    # merging it into another agency makes it inactive: it joins no new period
    response = client.post(
        reverse("people:agency_edit", args=[created.pk]),
        {
            "name": created.name,
            "short_name": "STTTT",
            "kind": "department",
            "is_active": "on",
            "merged_into": agency.pk,
            "merged_on": "01/03/2025",
        },
    )
    assert response.status_code == 302
    created.refresh_from_db()
    assert created.merged_into == agency and not created.is_active and created.merged_on.isoformat() == "2025-03-01"
    listing = client.get(reverse("people:agencies"), {"state": "inactive"}).text
    assert "Sở Thông tin và Truyền thông" in listing and "Đã hợp nhất" in listing


def test_an_agency_cannot_be_merged_into_itself_or_into_a_merged_one(client, users, agency, other_agency):
    client.force_login(users["admin"])
    Agency.objects.filter(pk=other_agency.pk).update(merged_into=agency, is_active=False)
    third = make_agency("Sở Xây dựng")
    for target in (third.pk, other_agency.pk):
        data = {"name": third.name, "kind": "department", "merged_into": target}
        response = client.post(reverse("people:agency_edit", args=[third.pk]), data)
        assert response.status_code == 200, target
        assert "Hãy chọn một lựa chọn hợp lệ." in response.text
    third.refresh_from_db()
    assert third.merged_into is None and third.is_active


def test_admin_creates_a_user_with_several_roles(client, users, agency, other_agency):
    client.force_login(users["admin"])
    response = client.post(
        reverse("people:user_add"),
        {
            "username": "nguyen.lan",
            "full_name": "Nguyễn  Thị Lan",
            "email": "lan@example.vn",
            "is_active": "on",
            "password": "Cchc@2026-lan",
            "province_roles": ["reviewer"],
            "officer_of": [agency.pk],
            "head_of": [other_agency.pk],
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="nguyen.lan")
    assert (user.last_name, user.first_name) == ("Nguyễn Thị", "Lan")
    assert user.check_password("Cchc@2026-lan") and not user.is_staff
    assert set(RoleAssignment.objects.filter(user=user).values_list("role", "agency_id")) == {
        (Role.REVIEWER, None),
        (Role.OFFICER, agency.pk),
        (Role.HEAD, other_agency.pk),
    }
    listing = client.get(reverse("people:users"), {"q": "Lan"}).text
    assert "Nguyễn Thị Lan" in listing and "Thành viên tổ thẩm định" in listing


def test_user_form_refuses_bad_input_and_saves_nothing(client, users):
    client.force_login(users["admin"])
    before = User.objects.count()
    response = client.post(
        reverse("people:user_add"),
        {"username": "chuyenvien", "full_name": "Trùng Tên", "password": "123", "is_active": "on"},
    )
    assert response.status_code == 200
    text = response.text
    assert "Tên đăng nhập «chuyenvien» đã có người dùng." in text
    assert "Chọn ít nhất một vai trò" in text
    assert "Mật khẩu quá ngắn: cần ít nhất 8 ký tự." in text and "too short" not in text
    assert User.objects.count() == before


def test_editing_replaces_roles_and_keeps_the_password_when_left_blank(client, users, agency, other_agency):
    client.force_login(users["admin"])
    officer = users["officer"]
    response = client.post(
        reverse("people:user_edit", args=[officer.pk]),
        {"username": "chuyenvien", "full_name": "Hoàng Văn Bình", "is_active": "on", "head_of": [other_agency.pk]},
    )
    assert response.status_code == 302
    officer.refresh_from_db()
    assert officer.check_password(PASSWORD)
    assert list(RoleAssignment.objects.filter(user=officer).values_list("role", "agency_id")) == [
        (Role.HEAD, other_agency.pk)
    ]


def test_an_administrator_cannot_lock_themselves_out(client, users, agency):
    admin = users["admin"]
    client.force_login(admin)
    response = client.post(
        reverse("people:user_edit", args=[admin.pk]),
        {"username": "quantri", "full_name": "Quản Trị", "is_active": "on", "officer_of": [agency.pk]},
    )
    assert response.status_code == 200
    assert "Không thể tự bỏ vai trò quản trị của chính mình." in response.text
    assert RoleAssignment.objects.filter(user=admin, role=Role.ADMIN).exists()


def test_user_list_costs_a_constant_number_of_queries(client, users, agency, django_assert_num_queries):
    client.force_login(users["admin"])
    for n in range(15):
        make_user(f"them.{n}", Role.OFFICER, agency)
    # session, user, the admin's roles, the users, their role assignments with agencies, the unread notices (badge)
    with django_assert_num_queries(6):
        response = client.get(reverse("people:users"))
    assert response.status_code == 200 and "them.14" in response.text


def test_agency_list_costs_a_constant_number_of_queries(client, users, agency, django_assert_num_queries):
    client.force_login(users["admin"])
    for n in range(15):
        make_agency(f"UBND xã Thử {n}", kind="commune", merged_into=agency if n % 2 else None, is_active=not n % 2)
    # session, user, the admin's roles, the agencies with what they merged into and their user counts,
    # the unread notices for the menu's badge
    with django_assert_num_queries(5):
        response = client.get(reverse("people:agencies"), {"state": "all"})
    assert response.status_code == 200 and "UBND xã Thử 14" in response.text


def test_edit_pages_cost_a_fixed_number_of_queries(client, users, agency, other_agency, django_assert_num_queries):
    client.force_login(users["admin"])
    # session, user, the admin's roles, the edited user, their roles, the agencies for each of the three lists
    # (officer, head, a reviewer's lead agency), the edited user's recent failed logins (is the account locked?),
    # the unread notices for the menu's badge
    with django_assert_num_queries(10):
        assert client.get(reverse("people:user_edit", args=[users["officer"].pk])).status_code == 200
    # session, user, the admin's roles, the agency, the agencies it may have merged into, the unread notices
    with django_assert_num_queries(6):
        assert client.get(reverse("people:agency_edit", args=[agency.pk])).status_code == 200


# ---- Excel import -----------------------------------------------------------------------------------------

AGENCY_HEADER = ["Tên cơ quan, đơn vị", "Tên viết tắt", "Loại", "Đang hoạt động", "Hợp nhất vào", "Ngày hợp nhất"]
USER_HEADER = ["Tên đăng nhập", "Họ và tên", "Email", "Vai trò", "Đơn vị", "Mật khẩu ban đầu"]


def workbook(agencies: list[list[object]] | None, people: list[list[object]] | None) -> bytes:
    book = Workbook()
    book.remove(book.active)
    for title, rows in (("Cơ quan", agencies), ("Người dùng", people)):
        if rows is not None:
            sheet = book.create_sheet(title)
            for row in rows:
                sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def import_errors(data: bytes) -> list[str]:
    agencies, people, roles = Agency.objects.count(), User.objects.count(), RoleAssignment.objects.count()
    with pytest.raises(ImportInvalid) as exc:
        import_people(data)
    assert (Agency.objects.count(), User.objects.count(), RoleAssignment.objects.count()) == (agencies, people, roles)
    return [str(e) for e in exc.value.errors]


def test_import_creates_agencies_with_mergers_and_users_with_roles():
    data = workbook(
        [
            AGENCY_HEADER,
            [
                "Sở Thông tin và Truyền thông",
                "STTTT",
                "Sở, ban, ngành cấp tỉnh",
                "",
                "Sở Khoa học và Công nghệ",
                "01/03/2025",
            ],
            ["Sở Khoa học và Công nghệ", "SKHCN", "Sở, ban, ngành cấp tỉnh", "Có", "", ""],
            ["UBND phường Minh Xuân", "", "UBND cấp xã (xã, phường, đặc khu)", "", "", ""],
        ],
        [
            USER_HEADER,
            ["cv.khcn", "Hoàng Văn Bình", "binh@example.vn", "Chuyên viên đơn vị", "SKHCN", "Cchc@2026-binh"],
            ["td.lan", "Nguyễn Thị Lan", "", "Thành viên tổ thẩm định; Lãnh đạo tỉnh", "", "Cchc@2026-lan"],
        ],
    )
    result = import_people(data)
    assert (result.agencies_created, result.users_created) == (3, 2)
    merged = Agency.objects.get(short_name="STTTT")
    assert merged.merged_into.name == "Sở Khoa học và Công nghệ" and not merged.is_active
    assert Agency.objects.get(name="UBND phường Minh Xuân").kind == "commune"
    binh = User.objects.get(username="cv.khcn")
    assert binh.check_password("Cchc@2026-binh")
    assert list(RoleAssignment.objects.filter(user=binh).values_list("role", "agency__short_name")) == [
        ("officer", "SKHCN")
    ]
    assert set(RoleAssignment.objects.filter(user__username="td.lan").values_list("role", flat=True)) == {
        "reviewer",
        "leadership",
    }


def test_exported_workbook_imports_back_without_changes(users, agency):
    before_agencies = list(Agency.objects.order_by("pk").values())
    before_roles = set(RoleAssignment.objects.values_list("user__username", "role", "agency_id"))
    data = build_people_workbook(with_data=True)
    exported = load_workbook(io.BytesIO(data))
    assert exported.sheetnames == ["Cơ quan", "Người dùng", "Hướng dẫn"]
    assert exported["Người dùng"]["F2"].value is None, "passwords are never exported"
    result = import_people(data)
    assert (result.agencies_created, result.users_created) == (0, 0)
    assert result.agencies_updated == 2 and result.users_updated == len(users)
    assert list(Agency.objects.order_by("pk").values()) == before_agencies
    assert set(RoleAssignment.objects.values_list("user__username", "role", "agency_id")) == before_roles
    assert User.objects.get(username="chuyenvien").check_password(PASSWORD)


def test_import_reports_every_error_with_sheet_row_and_column(users, agency):
    errors = import_errors(
        workbook(
            [
                AGENCY_HEADER,
                ["Sở Mới", "", "Phòng ban", "", "", ""],
                ["Sở Mới", "", "Sở, ban, ngành cấp tỉnh", "Chưa rõ", "Sở Không Có", "31/02/2025"],
            ],
            [
                USER_HEADER,
                ["moi.1", "", "khong-phai-email", "Chuyên viên đơn vị", "", "Cchc@2026-x"],
                # a further row of the same login: a further role (see test_people_round_trip)
                ["moi.1", "Trần Văn A", "", "Giám đốc", "", "Cchc@2026-x"],
                ["moi.2", "Trần Văn B", "", "Chuyên viên đơn vị", "Sở Không Có", ""],
                ["moi.3", "Trần Văn C", "", "Lãnh đạo tỉnh", "Sở Khoa học và Công nghệ", "123"],
            ],
        )
    )
    assert errors == [
        "Trang «Cơ quan», dòng 2, cột «Loại»: «Phòng ban» không có; ghi một trong: Sở, ban, ngành cấp tỉnh; "
        "UBND cấp xã (xã, phường, đặc khu); UBND cấp huyện (lưu trữ, trước 01/7/2025); UBND cấp tỉnh.",
        "Trang «Cơ quan», dòng 3, cột «Tên cơ quan, đơn vị»: «Sở Mới» trùng với dòng 2.",
        "Trang «Cơ quan», dòng 3, cột «Đang hoạt động»: «Chưa rõ» không hợp lệ; ghi «Có» hoặc «Không».",
        "Trang «Cơ quan», dòng 3, cột «Ngày hợp nhất»: «31/02/2025» không phải là ngày dạng dd/mm/yyyy.",
        "Trang «Người dùng», dòng 2, cột «Họ và tên»: Họ và tên không được để trống.",
        "Trang «Người dùng», dòng 2, cột «Email»: «khong-phai-email» không phải là địa chỉ email.",
        "Trang «Người dùng», dòng 3, cột «Vai trò»: «Giám đốc» không có; ghi một hoặc nhiều trong: Chuyên viên đơn vị; "
        "Lãnh đạo đơn vị; Quản trị (Sở Nội vụ); Thành viên tổ thẩm định; Lãnh đạo tỉnh.",
        "Trang «Cơ quan», dòng 3, cột «Hợp nhất vào»: Không có đơn vị «Sở Không Có».",
        "Trang «Người dùng», dòng 2, cột «Đơn vị»: Chuyên viên và lãnh đạo đơn vị phải thuộc một đơn vị.",
        "Trang «Người dùng», dòng 4, cột «Đơn vị»: Không có đơn vị «Sở Không Có».",
        "Trang «Người dùng», dòng 4, cột «Mật khẩu ban đầu»: Tài khoản mới cần mật khẩu ban đầu.",
        "Trang «Người dùng», dòng 5, cột «Đơn vị»: Chỉ ghi đơn vị cho Chuyên viên đơn vị, Lãnh đạo đơn vị hoặc "
        "Thành viên tổ thẩm định (cơ quan chủ trì); các vai trò khác là toàn tỉnh.",
        errors[-1],
    ]
    assert errors[-1].startswith("Trang «Người dùng», dòng 5, cột «Mật khẩu ban đầu»: ")


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"", "Tệp rỗng: hãy chọn tệp Excel (.xlsx) theo mẫu."),
        (b"MZ\x90\x00 not a workbook", "Tệp không phải là bảng tính Excel (.xlsx) hợp lệ"),
        ("no-sheets", "Tệp không có trang «Cơ quan» hay «Người dùng»"),
        (
            "missing-column",
            "Trang «Người dùng», dòng 1, cột «Vai trò»: Thiếu cột bắt buộc «Vai trò»; "
            "dòng tiêu đề phải có «Tên đăng nhập», «Họ và tên», «Vai trò».",
        ),
        ("headers-only", "Tệp không có dòng dữ liệu nào dưới các dòng tiêu đề."),
    ],
)
def test_unusable_files_are_refused_with_a_message(data, expected):
    if data == "no-sheets":
        book = Workbook()
        book.active.title = "Trang khác"
        out = io.BytesIO()
        book.save(out)
        data = out.getvalue()
    elif data == "missing-column":
        data = workbook(None, [["Tên đăng nhập", "Họ và tên"], ["a", "B"]])
    elif data == "headers-only":
        data = workbook([AGENCY_HEADER], [USER_HEADER])
    errors = import_errors(data)
    assert len(errors) == 1 and errors[0].startswith(expected)


def test_import_page_shows_errors_then_imports(client, users):
    client.force_login(users["admin"])
    bad = workbook([AGENCY_HEADER, ["", "", "Sở, ban, ngành cấp tỉnh", "", "", ""]], None)
    response = client.post(reverse("people:import"), {"file": SimpleUploadedFile("d.xlsx", bad)})
    assert response.status_code == 400
    assert "Không lưu gì cả: tệp có 1 lỗi." in response.text
    assert "Trang «Cơ quan», dòng 2, cột «Tên cơ quan, đơn vị»: Tên không được để trống." in response.text
    good = workbook([AGENCY_HEADER, ["Sở Y tế", "SYT", "Sở, ban, ngành cấp tỉnh", "", "", ""]], None)
    response = client.post(reverse("people:import"), {"file": SimpleUploadedFile("d.xlsx", good)}, follow=True)
    assert "Đã nhập: 1 đơn vị mới" in response.text
    assert Agency.objects.filter(name="Sở Y tế").exists()


def test_blank_template_has_headers_and_help(client, users):
    client.force_login(users["admin"])
    response = client.get(reverse("people:template"))
    assert response["Content-Disposition"] == 'attachment; filename="mau-co-quan-nguoi-dung.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    assert [c.value for c in book["Cơ quan"][1]][:3] == ["Tên cơ quan, đơn vị", "Tên viết tắt", "Loại"]
    assert book["Cơ quan"].max_row == 1 and book["Người dùng"].max_row == 1
    assert book["Hướng dẫn"]["B2"].value == "Tên cơ quan, đơn vị"


def test_import_matches_existing_logins_without_regard_to_case(users, agency):
    data = workbook(None, [USER_HEADER, ["ChuyenVien", "Hoàng Văn Bình", "", "Lãnh đạo tỉnh", "", ""]])
    result = import_people(data)
    assert (result.users_created, result.users_updated) == (0, 1)
    assert not User.objects.filter(username="ChuyenVien").exists()
    officer = User.objects.get(username="chuyenvien")
    assert set(RoleAssignment.objects.filter(user=officer).values_list("role", flat=True)) == {"officer", "leadership"}


def test_import_refuses_a_login_with_spaces():
    errors = import_errors(
        workbook(None, [USER_HEADER, ["nguyen van a", "Nguyễn Văn A", "", "Lãnh đạo tỉnh", "", "Cchc@2026-a"]])
    )
    assert errors == [
        "Trang «Người dùng», dòng 2, cột «Tên đăng nhập»: «nguyen van a» chỉ được gồm chữ, số và các ký tự "
        ". @ + - _ (không dấu cách)."
    ]


# ---- a reviewer's lead agency (the team they appraise for) ----------------------------------------------


def test_admin_gives_a_reviewer_a_lead_agency_and_it_survives_a_later_save(client, users, agency):
    client.force_login(users["admin"])
    reviewer = users["reviewer"]
    form = {"username": "thamdinh", "full_name": "Lê Văn Thẩm", "is_active": "on", "province_roles": ["reviewer"]}
    assert (
        client.post(reverse("people:user_edit", args=[reviewer.pk]), form | {"reviewer_of": agency.pk}).status_code
        == 302
    )
    assert list(RoleAssignment.objects.filter(user=reviewer).values_list("role", "agency_id")) == [
        (Role.REVIEWER, agency.pk)
    ]
    page = client.get(reverse("people:user_edit", args=[reviewer.pk])).text
    assert f'<option value="{agency.pk}" selected>' in page
    # Saving the form again with the agency shown keeps it; clearing it makes the reviewer province-wide.
    client.post(reverse("people:user_edit", args=[reviewer.pk]), form | {"reviewer_of": agency.pk, "email": "a@b.vn"})
    assert RoleAssignment.objects.get(user=reviewer).agency_id == agency.pk
    client.post(reverse("people:user_edit", args=[reviewer.pk]), form)
    assert RoleAssignment.objects.get(user=reviewer).agency_id is None


def test_a_lead_agency_without_the_reviewer_role_is_refused(client, users, agency):
    client.force_login(users["admin"])
    leader = users["leadership"]
    response = client.post(
        reverse("people:user_edit", args=[leader.pk]),
        {
            "username": "lanhdao",
            "full_name": "Lãnh Đạo",
            "is_active": "on",
            "province_roles": ["leadership"],
            "reviewer_of": agency.pk,
        },
    )
    assert response.status_code == 200 and "Chỉ thành viên tổ thẩm định" in response.text
    assert list(RoleAssignment.objects.filter(user=leader).values_list("role", "agency_id")) == [
        (Role.LEADERSHIP, None)
    ]


def test_import_gives_a_reviewer_a_lead_agency_and_exports_it_back(users, agency):
    result = import_people(
        workbook(
            None,
            [
                USER_HEADER,
                ["td.vp", "Phạm Thị Vân", "", "Thành viên tổ thẩm định", agency.name, "Cchc@2026-van"],
                # an existing reviewer gets a lead agency too
                ["thamdinh", "Lê Thẩm", "", "Thành viên tổ thẩm định", "Sở Khoa học và Công nghệ", ""],
            ],
        )
    )
    assert (result.users_created, result.users_updated) == (1, 1)
    assert set(RoleAssignment.objects.filter(role=Role.REVIEWER).values_list("user__username", "agency_id")) == {
        ("td.vp", agency.pk),
        ("thamdinh", agency.pk),
    }
    before = set(RoleAssignment.objects.values_list("user__username", "role", "agency_id"))
    import_people(build_people_workbook(with_data=True))
    assert set(RoleAssignment.objects.values_list("user__username", "role", "agency_id")) == before


def test_import_refuses_two_lead_agencies_for_one_reviewer(users, agency, other_agency):
    errors = import_errors(
        workbook(
            None,
            [
                USER_HEADER,
                ["td.hai", "Hai Cơ Quan", "", "Thành viên tổ thẩm định", agency.name, "Cchc@2026-hai"],
                ["td.hai", "", "", "Thành viên tổ thẩm định", other_agency.name, ""],
            ],
        )
    )
    assert errors == [
        "Trang «Người dùng», dòng 2, cột «Đơn vị»: Một thành viên tổ thẩm định thuộc một cơ quan chủ trì; "
        "tệp ghi nhiều cơ quan cho người này."
    ]
