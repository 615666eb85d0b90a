"""Writes for agencies and user accounts with their roles (administrators' work at Sở Nội vụ).

Used by the in-app pages and by the Excel import, so both apply exactly the same rules.
"""

import datetime
from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractUser
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

    def wanted(self) -> set[tuple[str, int | None]]:
        return (
            {(role, None) for role in self.province}
            | {(Role.OFFICER, pk) for pk in self.officer_of}
            | {(Role.HEAD, pk) for pk in self.head_of}
        )


def user_roles_input(user: AbstractUser) -> UserRolesInput:
    result = UserRolesInput()
    for role, agency_id in RoleAssignment.objects.filter(user=user).values_list("role", "agency_id"):
        if role == Role.OFFICER:
            result.officer_of.add(agency_id)
        elif role == Role.HEAD:
            result.head_of.add(agency_id)
        else:
            result.province.add(role)
    return result


@transaction.atomic
def user_save(
    *,
    user: AbstractUser,
    username: str,
    full_name: str,
    email: str = "",
    is_active: bool = True,
    password: str | None = None,
    roles: UserRolesInput,
    acting_user: AbstractUser | None = None,
) -> AbstractUser:
    """Create (``user`` unsaved) or update an account and set its roles to exactly ``roles``.

    ``password`` is set when given (a new account needs one). Administrators keep Django admin access
    through ``is_staff``; an administrator cannot take away their own administrator role or account.
    """
    unknown = roles.province - set(PROVINCE_ROLES)
    if unknown:
        raise ValidationError({"roles": _("Vai trò không có: %(roles)s.") % {"roles": ", ".join(sorted(unknown))}})
    if acting_user is not None and user.pk == acting_user.pk:
        if Role.ADMIN not in roles.province and not user.is_superuser:
            raise ValidationError({"roles": _("Không thể tự bỏ vai trò quản trị của chính mình.")})
        if not is_active:
            raise ValidationError({"is_active": _("Không thể tự khóa tài khoản của chính mình.")})
    if user.pk is None and not password:
        raise ValidationError({"password": _("Tài khoản mới cần mật khẩu ban đầu.")})
    user.username = username.strip()
    user.last_name, user.first_name = split_full_name(full_name)
    user.email = email.strip()
    user.is_active = is_active
    user.is_staff = user.is_superuser or Role.ADMIN in roles.province
    if password:
        user.set_password(password)
    elif user.pk is None:
        user.set_unusable_password()
    user.full_clean()
    user.save()
    _set_roles(user, roles)
    return user


def _set_roles(user: AbstractUser, roles: UserRolesInput) -> None:
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


def users_with_roles(users: QuerySet) -> list[AbstractUser]:
    """The users with ``role_list`` [(role label, agency short name)] attached, in two queries."""
    users = list(users)
    by_user: dict[int, list[tuple[str, str]]] = {u.pk: [] for u in users}
    assignments = RoleAssignment.objects.filter(user_id__in=by_user).select_related("agency")
    for assignment in assignments.order_by("role", "agency__name"):
        agency = assignment.agency.display_name if assignment.agency_id else ""
        by_user[assignment.user_id].append((str(Role(assignment.role).label), agency))
    for user in users:
        user.role_list = by_user[user.pk]
    return users


def is_agency_role(role: str) -> bool:
    return role in AGENCY_ROLES
