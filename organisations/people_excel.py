"""Bulk import and export of agencies and user accounts as one workbook (sheets «Cơ quan», «Người dùng»).

All or nothing: every row of both sheets is read and checked first; any error saves nothing and lists
every error with its sheet, row and column. Agencies are matched by name, users by login name, so an
exported workbook edited and imported again updates what is there instead of duplicating it.
A user's roles in the file are added to the roles they already hold; removing a role is done on the
user's page, where the administrator sees what they take away. Each row holds one role (with its agency
for an agency role), so a user with several roles has several rows and the export imports back
unchanged. The rules of an account are those of
``organisations.people`` (``user_save``); the check asks them first, so their errors are listed with the
file's others, in the row and column they concern.
"""

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models.functions import Lower

from organisations.models import AgencyKind
from parindex.names import full_name
from parindex.xlsx import (
    Column,
    ImportInvalid,
    RowError,
    cell_text,
    find_sheet,
    new_workbook,
    normalize,
    open_workbook,
    read_date,
    read_flag,
    read_table,
    unreadable_as_invalid,
    workbook_bytes,
    write_header,
    write_help,
    write_row,
)

from .models import AGENCY_ROLES, Agency, Role, RoleAssignment
from .people import UserRolesInput, agency_save, check_has_role, user_roles_input, user_save

SHEET_AGENCIES = "Cơ quan"
SHEET_USERS = "Người dùng"
SHEET_HELP = "Hướng dẫn"

# One import stays within one request. Rows: a province has a few hundred agencies and accounts.
# Passwords: each distinct initial password is hashed once with the configured hasher (PBKDF2 with
# 1,5 million rounds: about 0,5-1 s each), so the number of distinct ones is what costs time.
MAX_AGENCY_ROWS = 2_000
MAX_USER_ROWS = 2_000
MAX_PASSWORDS = 5


def _field_length(model: Any, name: str) -> int:
    return int(model._meta.get_field(name).max_length)


AGENCY_COLUMNS = [
    Column(
        "name",
        "Tên cơ quan, đơn vị",
        True,
        44,
        "Tên đầy đủ, không trùng; dùng để nhận ra đơn vị khi nhập lại.",
        max_length=_field_length(Agency, "name"),
    ),
    Column("short_name", "Tên viết tắt", False, 14, "Ví dụ SNV, STP.", max_length=_field_length(Agency, "short_name")),
    Column("kind", "Loại", True, 30, "Một trong: " + "; ".join(str(label) for _, label in AgencyKind.choices)),
    Column("is_active", "Đang hoạt động", False, 12, "Có / Không (mặc định Có). Đơn vị đã hợp nhất luôn là Không."),
    Column(
        "merged_into",
        "Hợp nhất vào",
        False,
        36,
        "Tên đơn vị mà đơn vị này đã hợp nhất vào (nếu có).",
        max_length=_field_length(Agency, "name"),
    ),
    Column("merged_on", "Ngày hợp nhất", False, 14, "dd/mm/yyyy.", max_length=40),
    Column("note", "Ghi chú", False, 40, "", max_length=_field_length(Agency, "note")),
]
USER_COLUMNS = [
    Column(
        "username",
        "Tên đăng nhập",
        True,
        22,
        "Chữ không dấu, số và . @ + - _. Người có nhiều vai trò có nhiều dòng cùng tên đăng nhập.",
        max_length=_field_length(User, "username"),
    ),
    Column(
        "full_name",
        "Họ và tên",
        True,
        28,
        "Ví dụ Nguyễn Thị Lan. Ở các dòng sau của cùng người dùng: để trống hoặc ghi giống dòng đầu.",
        max_length=_field_length(User, "first_name") + _field_length(User, "last_name"),
    ),
    Column("email", "Email", False, 28, "", max_length=_field_length(User, "email")),
    Column(
        "roles",
        "Vai trò",
        True,
        30,
        "Một vai trò mỗi dòng (nhiều vai trò ở cùng một đơn vị có thể cách nhau bằng dấu chấm phẩy): "
        + "; ".join(str(label) for _, label in Role.choices),
        max_length=500,
    ),
    Column(
        "agency",
        "Đơn vị",
        False,
        36,
        "Bắt buộc với Chuyên viên đơn vị và Lãnh đạo đơn vị: đơn vị của vai trò ở dòng này (tên hoặc tên viết tắt). "
        "Với Thành viên tổ thẩm định: cơ quan chủ trì mà người này thẩm định cho (không bắt buộc).",
        max_length=_field_length(Agency, "name"),
    ),
    Column(
        "password",
        "Mật khẩu ban đầu",
        False,
        18,
        "Bắt buộc với tài khoản mới; để trống với tài khoản đã có thì giữ mật khẩu cũ. "
        f"Mỗi lần nhập tối đa {MAX_PASSWORDS} mật khẩu khác nhau (dùng chung một mật khẩu ban đầu được).",
        max_length=128,
    ),
]

# Where a service's error about a model field is shown: the column the field is read from.
AGENCY_FIELDS = {c.key: c.header for c in AGENCY_COLUMNS}
USER_FIELDS = {c.key: c.header for c in USER_COLUMNS} | {"first_name": "Họ và tên", "last_name": "Họ và tên"}

_USERNAME = UnicodeUsernameValidator()
_KINDS = {normalize(label): value for value, label in AgencyKind.choices} | {
    normalize(value): value for value in AgencyKind.values
}
_ROLES = {normalize(label): value for value, label in Role.choices} | {normalize(value): value for value in Role.values}


@dataclass
class AgencyRow:
    row: int
    name: str
    short_name: str
    kind: str
    is_active: bool
    merged_into: str
    merged_on: datetime.date | None
    note: str


@dataclass
class Grant:
    """The roles one row gives, with the agency they apply to (blank for province-wide roles)."""

    row: int
    roles: set[str]
    agency: str


@dataclass
class UserRow:
    """One account: its first row, and the roles of each of its rows."""

    row: int
    username: str
    full_name: str
    email: str
    password: str
    grants: list[Grant] = field(default_factory=list)

    @property
    def roles(self) -> set[str]:
        return {role for grant in self.grants for role in grant.roles}


@dataclass
class ImportResult:
    agencies_created: int = 0
    agencies_updated: int = 0
    users_created: int = 0
    users_updated: int = 0
    errors: list[RowError] = field(default_factory=list)


def _agency_rows(sheet: Any, errors: list[RowError]) -> list[AgencyRow]:
    result = []
    seen: dict[str, int] = {}
    for number, cells in read_table(
        sheet, AGENCY_COLUMNS, errors, max_rows=MAX_AGENCY_ROWS, sheet_label=SHEET_AGENCIES
    ):

        def error(column: str, message: str, number: int = number) -> None:
            errors.append(RowError(number, column, message, SHEET_AGENCIES))

        name = " ".join(cell_text(cells.get("name")).split())
        if not name:
            error("Tên cơ quan, đơn vị", "Tên không được để trống.")
        elif normalize(name) in seen:
            error("Tên cơ quan, đơn vị", f"«{name}» trùng với dòng {seen[normalize(name)]}.")
        else:
            seen[normalize(name)] = number
        kind = _KINDS.get(normalize(cells.get("kind")))
        if kind is None:
            allowed = "; ".join(str(label) for _, label in AgencyKind.choices)
            error("Loại", f"«{cell_text(cells.get('kind'))}» không có; ghi một trong: {allowed}.")
        is_active = read_flag(
            cells.get("is_active"), errors, row=number, column="Đang hoạt động", sheet=SHEET_AGENCIES, default=True
        )
        merged_on = None
        if cell_text(cells.get("merged_on")):
            merged_on = read_date(cells.get("merged_on"))
            if merged_on is None:
                error("Ngày hợp nhất", f"«{cell_text(cells.get('merged_on'))}» không phải là ngày dạng dd/mm/yyyy.")
        result.append(
            AgencyRow(
                row=number,
                name=name,
                short_name=cell_text(cells.get("short_name")),
                kind=kind or "",
                is_active=is_active,
                merged_into=" ".join(cell_text(cells.get("merged_into")).split()),
                merged_on=merged_on,
                note=cell_text(cells.get("note")),
            )
        )
    return result


def _user_rows(sheet: Any, errors: list[RowError]) -> list[UserRow]:
    """One UserRow per login; a login's later rows add their roles and may repeat or omit its details."""
    by_login: dict[str, UserRow] = {}
    for number, cells in read_table(sheet, USER_COLUMNS, errors, max_rows=MAX_USER_ROWS, sheet_label=SHEET_USERS):

        def error(column: str, message: str, number: int = number) -> None:
            errors.append(RowError(number, column, message, SHEET_USERS))

        username = cell_text(cells.get("username"))
        full_name = " ".join(cell_text(cells.get("full_name")).split())
        email = cell_text(cells.get("email"))
        password = cell_text(cells.get("password"))
        grant = Grant(number, _read_roles(cells.get("roles"), error), " ".join(cell_text(cells.get("agency")).split()))
        if not username:
            error("Tên đăng nhập", "Tên đăng nhập không được để trống.")
            continue
        first = by_login.get(username.lower())
        if first is not None:
            # A further role of the same account: its details, where given, must be those of the first row.
            for column, value, expected in (
                ("Họ và tên", full_name, first.full_name),
                ("Email", email, first.email),
                ("Mật khẩu ban đầu", password, first.password),
            ):
                if value and expected and value != expected:
                    error(column, f"Khác với dòng {first.row} của cùng tên đăng nhập «{first.username}».")
            first.password = first.password or password
            first.grants.append(grant)
            continue
        try:
            _USERNAME(username)
        except ValidationError:
            error("Tên đăng nhập", f"«{username}» chỉ được gồm chữ, số và các ký tự . @ + - _ (không dấu cách).")
        if not full_name:
            error("Họ và tên", "Họ và tên không được để trống.")
        if email:
            try:
                validate_email(email)
            except ValidationError:
                error("Email", f"«{email}» không phải là địa chỉ email.")
        by_login[username.lower()] = UserRow(number, username, full_name, email, password, [grant])
    return list(by_login.values())


def _read_roles(raw: object, error: Any) -> set[str]:
    roles = set()
    for part in cell_text(raw).replace(",", ";").split(";"):
        if not part.strip():
            continue
        role = _ROLES.get(normalize(part))
        if role is None:
            allowed = "; ".join(str(label) for _, label in Role.choices)
            error("Vai trò", f"«{part.strip()}» không có; ghi một hoặc nhiều trong: {allowed}.")
        else:
            roles.add(role)
    return roles


def _read(data: bytes) -> tuple[list[AgencyRow], list[UserRow], list[RowError]]:
    workbook = open_workbook(data)
    errors: list[RowError] = []
    try:
        with unreadable_as_invalid():
            agencies_sheet = find_sheet(workbook, SHEET_AGENCIES)
            users_sheet = find_sheet(workbook, SHEET_USERS)
            if agencies_sheet is None and users_sheet is None:
                message = f"Tệp không có trang «{SHEET_AGENCIES}» hay «{SHEET_USERS}»; hãy dùng tệp mẫu."
                raise ImportInvalid([RowError(None, None, message)])
            agencies = _agency_rows(agencies_sheet, errors) if agencies_sheet is not None else []
            users = _user_rows(users_sheet, errors) if users_sheet is not None else []
    finally:
        workbook.close()
    if not agencies and not users and not errors:
        errors.append(RowError(None, None, "Tệp không có dòng dữ liệu nào dưới các dòng tiêu đề."))
    return agencies, users, errors


def _agency_lookup(agencies: list[Agency]) -> dict[str, Agency]:
    """By normalized full name, and by short name where that is unambiguous."""
    by_name = {normalize(a.name): a for a in agencies}
    shorts: dict[str, list[Agency]] = {}
    for agency in agencies:
        if agency.short_name:
            shorts.setdefault(normalize(agency.short_name), []).append(agency)
    return {key: found[0] for key, found in shorts.items() if len(found) == 1} | by_name


def import_people(data: bytes) -> ImportResult:
    """Read, check everything, then save everything in one transaction; raises ImportInvalid on any error."""
    agency_rows, user_rows, errors = _read(data)
    existing = list(Agency.objects.all())
    existing_by_name = {normalize(a.name): a for a in existing}
    _check_mergers(agency_rows, existing_by_name, errors)
    # Logins are matched without regard to case, as the login form's users would expect.
    wanted = [r.username.lower() for r in user_rows]
    existing_users = {
        u.username.lower(): u
        for u in get_user_model().objects.annotate(login=Lower("username")).filter(login__in=wanted)
    }
    _check_users(user_rows, _file_lookup(existing, agency_rows, existing_by_name), existing_users, errors)
    if errors:
        raise ImportInvalid(errors)
    try:
        return _save(agency_rows, user_rows, existing_by_name, existing_users)
    except ImportInvalid:
        raise
    except ValidationError as exc:  # a rule only the model knows (length, characters): still nothing saved
        raise ImportInvalid([RowError(None, None, " ".join(exc.messages))]) from None


def _check_mergers(rows: list[AgencyRow], existing_by_name: Mapping[str, Agency], errors: list[RowError]) -> None:
    known_names = {normalize(r.name) for r in rows if r.name} | existing_by_name.keys()
    for row in rows:
        target = normalize(row.merged_into)
        if row.merged_into and target not in known_names:
            errors.append(RowError(row.row, "Hợp nhất vào", f"Không có đơn vị «{row.merged_into}».", SHEET_AGENCIES))
        elif row.merged_into and target == normalize(row.name):
            errors.append(
                RowError(row.row, "Hợp nhất vào", "Một đơn vị không thể hợp nhất vào chính nó.", SHEET_AGENCIES)
            )


def _file_lookup(
    existing: list[Agency], rows: list[AgencyRow], existing_by_name: Mapping[str, Agency]
) -> dict[str, Agency]:
    """Agency names a user row may refer to: those in the database and those this file creates."""
    lookup = _agency_lookup(existing)
    for row in rows:
        lookup.setdefault(normalize(row.name), existing_by_name.get(normalize(row.name)) or Agency(name=row.name))
        if row.short_name:
            lookup.setdefault(normalize(row.short_name), lookup[normalize(row.name)])
    return lookup


def _held_roles(users: list[User]) -> dict[int, set[str]]:
    """The roles each of these users holds now, by user id, in one query."""
    held: dict[int, set[str]] = {}
    for user_id, role in RoleAssignment.objects.filter(user__in=users).values_list("user_id", "role"):
        held.setdefault(user_id, set()).add(role)
    return held


def _agency_problem(row: Grant, lookup: Mapping[str, Agency]) -> str | None:
    """What is wrong with the row's «Đơn vị» for its roles, if anything."""
    needs_agency = bool(row.roles & set(AGENCY_ROLES))
    if needs_agency and not row.agency:
        return "Chuyên viên và lãnh đạo đơn vị phải thuộc một đơn vị."
    if row.agency and normalize(row.agency) not in lookup:
        return f"Không có đơn vị «{row.agency}»."
    if row.agency and not (needs_agency or Role.REVIEWER in row.roles):
        return (
            "Chỉ ghi đơn vị cho Chuyên viên đơn vị, Lãnh đạo đơn vị hoặc Thành viên tổ thẩm định "
            "(cơ quan chủ trì); các vai trò khác là toàn tỉnh."
        )
    return None


def _reviewer_agencies(row: UserRow) -> set[str]:
    """The lead agencies the file names for the account's reviewer role (one at most is allowed)."""
    return {normalize(g.agency) for g in row.grants if Role.REVIEWER in g.roles and g.agency}


def _check_users(
    rows: list[UserRow], lookup: Mapping[str, Agency], existing_users: Mapping[str, User], errors: list[RowError]
) -> None:
    held = _held_roles(list(existing_users.values()))
    user_model = get_user_model()
    unreadable_roles = {e.row for e in errors if e.sheet == SHEET_USERS and e.column == "Vai trò"}
    passwords = {row.password for row in rows if row.password}
    if len(passwords) > MAX_PASSWORDS:
        message = (
            f"Tệp đặt {len(passwords)} mật khẩu ban đầu khác nhau; mỗi lần nhập tối đa {MAX_PASSWORDS} "
            "(mỗi mật khẩu được mã hóa an toàn mất khoảng một giây). Dùng chung một mật khẩu ban đầu "
            "hoặc chia thành nhiều tệp."
        )
        errors.append(RowError(None, "Mật khẩu ban đầu", message, SHEET_USERS))
    for row in rows:
        for grant in row.grants:
            problem = _agency_problem(grant, lookup)
            if problem is not None:
                errors.append(RowError(grant.row, "Đơn vị", problem, SHEET_USERS))
        if len(_reviewer_agencies(row)) > 1:
            message = "Một thành viên tổ thẩm định thuộc một cơ quan chủ trì; tệp ghi nhiều cơ quan cho người này."
            errors.append(RowError(row.row, "Đơn vị", message, SHEET_USERS))
        user = existing_users.get(row.username.lower())
        if not unreadable_roles.intersection(grant.row for grant in row.grants):
            # user_save's rule, asked now so it is listed with the file's other errors. The file only adds
            # roles, so the user ends with those they hold and those of the row.
            try:
                check_has_role(row.roles | held.get(user.pk, set()) if user else row.roles, user=user or user_model())
            except ValidationError as exc:
                errors.extend(_service_errors(exc, row.row, SHEET_USERS, USER_FIELDS))
        if user is None and not row.password:
            errors.append(RowError(row.row, "Mật khẩu ban đầu", "Tài khoản mới cần mật khẩu ban đầu.", SHEET_USERS))
        if row.password:
            try:
                validate_password(row.password, user or user_model(username=row.username))
            except ValidationError as exc:
                errors.append(RowError(row.row, "Mật khẩu ban đầu", " ".join(exc.messages), SHEET_USERS))


def _service_errors(exc: ValidationError, row: int, sheet: str, columns: Mapping[str, str]) -> list[RowError]:
    """A service's refusal as errors of the row, each in the column of the field it names (if any)."""
    if not hasattr(exc, "error_dict"):
        return [RowError(row, None, " ".join(exc.messages), sheet)]
    return [
        RowError(row, columns.get(name), message, sheet)
        for name, messages in exc.message_dict.items()
        for message in messages
    ]


@transaction.atomic
def _save(
    agency_rows: list[AgencyRow],
    user_rows: list[UserRow],
    existing_by_name: Mapping[str, Agency],
    existing_users: Mapping[str, User],
) -> ImportResult:
    """Save every row; a service's refusal of any row raises ImportInvalid, which rolls everything back."""
    result = ImportResult()
    saved = _save_agencies(agency_rows, existing_by_name, result)
    _save_users(user_rows, _agency_lookup(list(saved.values())), existing_users, result)
    return result


def _save_agencies(
    rows: list[AgencyRow], existing_by_name: Mapping[str, Agency], result: ImportResult
) -> dict[str, Agency]:
    saved: dict[str, Agency] = dict(existing_by_name)
    # Agencies that others merge into come first, so the target exists when the merged one is saved.
    for row in sorted(rows, key=lambda r: bool(r.merged_into)):
        agency = existing_by_name.get(normalize(row.name)) or Agency()
        created = agency.pk is None
        try:
            agency = agency_save(
                agency=agency,
                name=row.name,
                short_name=row.short_name,
                kind=row.kind,
                is_active=row.is_active,
                merged_into=saved[normalize(row.merged_into)] if row.merged_into else None,
                merged_on=row.merged_on,
                note=row.note,
            )
        except ValidationError as exc:
            # Users may refer to this agency: stop here rather than report errors that follow from this one.
            raise ImportInvalid(_service_errors(exc, row.row, SHEET_AGENCIES, AGENCY_FIELDS)) from None
        saved[normalize(agency.name)] = agency
        result.agencies_created += created
        result.agencies_updated += not created
    return saved


def _save_users(
    rows: list[UserRow], lookup: Mapping[str, Agency], existing_users: Mapping[str, User], result: ImportResult
) -> None:
    errors: list[RowError] = []
    user_model = get_user_model()
    # Each distinct password is hashed once, with the configured hasher, however many accounts share it.
    hashes = {password: make_password(password) for password in {row.password for row in rows if row.password}}
    for row in rows:
        user = existing_users.get(row.username.lower()) or user_model()
        created = user.pk is None
        roles = user_roles_input(user) if not created else UserRolesInput()
        for grant in row.grants:
            for role in grant.roles:
                if role == Role.OFFICER:
                    roles.officer_of.add(lookup[normalize(grant.agency)].pk)
                elif role == Role.HEAD:
                    roles.head_of.add(lookup[normalize(grant.agency)].pk)
                else:
                    roles.province.add(role)
        # The file names the reviewer's lead agency; a row without one keeps the agency held now.
        for key in _reviewer_agencies(row):
            roles.reviewer_of = lookup[key].pk
        try:
            user_save(
                user=user,
                username=row.username if created else user.username,
                full_name=row.full_name,
                email=row.email,
                is_active=user.is_active if not created else True,
                password_hash=hashes.get(row.password),
                roles=roles,
            )
        except ValidationError as exc:
            errors.extend(_service_errors(exc, row.row, SHEET_USERS, USER_FIELDS))
            continue
        result.users_created += created
        result.users_updated += not created
    if errors:
        raise ImportInvalid(errors)


def build_people_workbook(*, with_data: bool) -> bytes:
    """The import template; with ``with_data``, today's agencies and users (never passwords) filled in."""
    workbook = new_workbook()
    agencies_sheet = workbook.create_sheet(SHEET_AGENCIES)
    write_header(agencies_sheet, AGENCY_COLUMNS)
    users_sheet = workbook.create_sheet(SHEET_USERS)
    write_header(users_sheet, USER_COLUMNS)
    if with_data:
        labels = dict(AgencyKind.choices)
        for agency in Agency.objects.select_related("merged_into").order_by("kind", "name"):
            write_row(
                agencies_sheet,
                [
                    agency.name,
                    agency.short_name,
                    str(labels[agency.kind]),
                    "Có" if agency.is_active else "Không",
                    agency.merged_into.name if agency.merged_into is not None else "",
                    agency.merged_on.strftime("%d/%m/%Y") if agency.merged_on else "",
                    agency.note,
                ],
            )
        _append_users(users_sheet)
    write_help(
        workbook.create_sheet(SHEET_HELP),
        [(SHEET_AGENCIES, AGENCY_COLUMNS), (SHEET_USERS, USER_COLUMNS)],
        [
            (
                "Nhập lại",
                "Đơn vị nhận theo tên, người dùng theo tên đăng nhập: dòng đã có được cập nhật, không tạo trùng.",
            ),
            ("Vai trò", "Vai trò trong tệp được thêm vào vai trò đang có; bỏ vai trò thì sửa trên trang người dùng."),
            (
                "Tổ thẩm định",
                "Thành viên tổ thẩm định có thể ghi cơ quan chủ trì ở cột Đơn vị: người đó thuộc tổ thẩm định "
                "của cơ quan ấy và không thẩm định bản đánh giá của cơ quan ấy.",
            ),
            (
                "Nhiều vai trò",
                "Mỗi dòng một vai trò, kèm đơn vị của vai trò đó: người là chuyên viên đơn vị này và lãnh đạo "
                "đơn vị khác có hai dòng cùng tên đăng nhập.",
            ),
            (
                "Giới hạn",
                f"Mỗi lần nhập tối đa {MAX_AGENCY_ROWS:,} đơn vị, {MAX_USER_ROWS:,} dòng người dùng và "
                f"{MAX_PASSWORDS} mật khẩu ban đầu khác nhau.".replace(",", "."),
            ),
        ],
    )
    return workbook_bytes(workbook)


def _append_users(sheet: Any) -> None:
    """One row per role held, with the agency of that role, so that importing the rows back grants nothing.

    A user without any role (made outside the app) still gets a row, with the role left blank.
    """
    roles: dict[int, list[tuple[str, str]]] = {}
    assignments = RoleAssignment.objects.select_related("agency").order_by("user_id", "role", "agency__name")
    for assignment in assignments:
        agency = assignment.agency.name if assignment.agency is not None else ""
        roles.setdefault(assignment.user_id, []).append((str(Role(assignment.role).label), agency))
    for user in get_user_model().objects.order_by("username"):
        for role, agency in roles.get(user.pk, [("", "")]):
            write_row(sheet, [user.username, full_name(user), user.email, role, agency, ""])
