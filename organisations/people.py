"""Writes for agencies and user accounts with their roles (administrators' work at Sở Nội vụ).

Used by the in-app pages and by the Excel import, so both apply exactly the same rules.
"""

import datetime
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .models import AGENCY_ROLES, Agency, Role, RoleAssignment

PROVINCE_ROLES = (Role.ADMIN, Role.REVIEWER, Role.LEADERSHIP)


def split_full_name(full_name: str) -> tuple[str, str]:
    """«Nguyễn Thị Lan» → («Nguyễn Thị», «Lan»): Django's last_name holds the family and middle names."""
    family, _, given = " ".join(full_name.split()).rpartition(" ")
    return family, given


def agency_save(
    *,
    agency: Agency,
    name: str,
    short_name: str = "",
    kind: str,
    is_active: bool = True,
    merged_into: Agency | None = None,
    merged_on: datetime.date | None = None,
    note: str = "",
) -> Agency:
    """Create (``agency`` unsaved) or update an agency. A merged agency is inactive: it joins no new period."""
    if merged_into is not None and agency.pk is not None and merged_into.pk == agency.pk:
        raise ValidationError({"merged_into": _("Một đơn vị không thể hợp nhất vào chính nó.")})
    if merged_into is not None and merged_into.merged_into_id is not None:
        raise ValidationError(
            {
                "merged_into": _("«%(agency)s» cũng đã hợp nhất vào đơn vị khác; chọn đơn vị đang hoạt động.")
                % {"agency": merged_into}
            }
        )
    agency.name = " ".join(name.split())
    agency.short_name = short_name.strip()
    agency.kind = kind
    agency.merged_into = merged_into
    agency.merged_on = merged_on if merged_into is not None else None
    agency.is_active = is_active and merged_into is None
    agency.note = note.strip()
    agency.full_clean()
    agency.save()
    return agency


@dataclass
class UserRolesInput:
    """The complete set of roles a user should hold after a save."""

    province: set[str] = field(default_factory=set)
    officer_of: set[int] = field(default_factory=set)
    head_of: set[int] = field(default_factory=set)
    # The lead agency a reviewer appraises for (its team); only with the reviewer role.
    reviewer_of: int | None = None

    def wanted(self) -> set[tuple[str, int | None]]:
        return (
            {(role, self.reviewer_of if role == Role.REVIEWER else None) for role in self.province}
            | {(Role.OFFICER, pk) for pk in self.officer_of}
            | {(Role.HEAD, pk) for pk in self.head_of}
        )

    def names(self) -> set[str]:
        """The roles held, without their agencies: what ``check_has_role`` looks at."""
        return {role for role, _agency in self.wanted()}


def check_has_role(roles: Collection[str], *, user: User) -> None:
    """An account gets at least one role when it is created, and no save takes its last one away.

    A user without a role can do nothing in the app. ``roles`` are the role names the account will hold
    after the save. An account that already holds none (made with ``createsuperuser`` or in Django's
    admin) may still be saved as it is, so an exported people workbook always imports back. The form and
    the Excel import call this before saving too, to list the problem with their other errors.
    """
    if roles:
        return
    if user.pk is None or RoleAssignment.objects.filter(user=user).exists():
        raise ValidationError({"roles": _("Chọn ít nhất một vai trò: người dùng không có vai trò không làm được gì.")})


def user_roles_input(user: User) -> UserRolesInput:
    result = UserRolesInput()
    for role, agency_id in RoleAssignment.objects.filter(user=user).values_list("role", "agency_id"):
        if role == Role.OFFICER:
            result.officer_of.add(agency_id)
        elif role == Role.HEAD:
            result.head_of.add(agency_id)
        else:
            result.province.add(role)
            if role == Role.REVIEWER:
                result.reviewer_of = agency_id
    return result


@transaction.atomic
def user_save(
    *,
    user: User,
    username: str,
    full_name: str,
    email: str = "",
    is_active: bool = True,
    password: str | None = None,
    password_hash: str | None = None,
    roles: UserRolesInput,
    acting_user: User | None = None,
) -> User:
    """Create (``user`` unsaved) or update an account and set its roles to exactly ``roles``.

    ``password`` is set when given (a new account needs one); ``password_hash`` instead is a password
    already hashed with ``make_password`` (the Excel import hashes a password shared by several new
    accounts once: they would reveal each other's password anyway, and the hash is still salted).
    Every account keeps a role (see ``check_has_role``). Administrators keep Django admin access through
    ``is_staff``; an administrator cannot take away their own administrator role or account.
    """
    unknown = roles.province - set(PROVINCE_ROLES)
    if unknown:
        raise ValidationError({"roles": _("Vai trò không có: %(roles)s.") % {"roles": ", ".join(sorted(unknown))}})
    check_has_role(roles.names(), user=user)
    if roles.reviewer_of is not None and Role.REVIEWER not in roles.province:
        raise ValidationError({"reviewer_of": _("Chỉ thành viên tổ thẩm định mới có cơ quan chủ trì thẩm định.")})
    if acting_user is not None and user.pk == acting_user.pk:
        if Role.ADMIN not in roles.province and not user.is_superuser:
            raise ValidationError({"roles": _("Không thể tự bỏ vai trò quản trị của chính mình.")})
        if not is_active:
            raise ValidationError({"is_active": _("Không thể tự khóa tài khoản của chính mình.")})
    if user.pk is None and not password and not password_hash:
        raise ValidationError({"password": _("Tài khoản mới cần mật khẩu ban đầu.")})
    user.username = username.strip()
    user.last_name, user.first_name = split_full_name(full_name)
    user.email = email.strip()
    user.is_active = is_active
    user.is_staff = user.is_superuser or Role.ADMIN in roles.province
    if password:
        user.set_password(password)
    elif password_hash:
        user.password = password_hash
    elif user.pk is None:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    _set_roles(user, roles)
    return user


def _set_roles(user: User, roles: UserRolesInput) -> None:
    current = {
        (role, agency_id): pk
        for pk, role, agency_id in RoleAssignment.objects.filter(user=user).values_list("pk", "role", "agency_id")
    }
    wanted = roles.wanted()
    stale = [pk for key, pk in current.items() if key not in wanted]
    if stale:
        RoleAssignment.objects.filter(pk__in=stale).delete()
    RoleAssignment.objects.bulk_create(
        RoleAssignment(user=user, role=role, agency_id=agency_id)
        for role, agency_id in sorted(wanted - current.keys(), key=str)
    )


def role_labels(users: Sequence[User]) -> dict[int, list[tuple[str, str]]]:
    """Each user's roles as [(role label, agency short name)] by user id, in one query."""
    by_user: dict[int, list[tuple[str, str]]] = {u.pk: [] for u in users}
    assignments = RoleAssignment.objects.filter(user_id__in=by_user).select_related("agency")
    for assignment in assignments.order_by("role", "agency__name"):
        agency = assignment.agency.display_name if assignment.agency is not None else ""
        by_user[assignment.user_id].append((str(Role(assignment.role).label), agency))
    return by_user


# The users list template reads the roles from each user object.
ROLE_LIST_ATTR = "role_list"


def users_with_roles(users: QuerySet[User]) -> list[User]:
    """The users with ``role_list`` (see ``role_labels``) attached, in two queries."""
    found = list(users)
    labels = role_labels(found)
    for user in found:
        setattr(user, ROLE_LIST_ATTR, labels[user.pk])
    return found


def is_agency_role(role: str) -> bool:
    return role in AGENCY_ROLES
