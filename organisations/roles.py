"""What a user may do, read once per request from their role assignments."""

from dataclasses import dataclass, field

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _

from .models import Role, RoleAssignment


@dataclass(frozen=True)
class UserRoles:
    roles: frozenset[str] = frozenset()
    officer_of: frozenset[int] = frozenset()
    head_of: frozenset[int] = frozenset()
    # The lead agency a reviewer appraises for (its team), if any. Grants nothing on that agency's sheet.
    reviewer_of: int | None = None
    agency_names: dict[int, str] = field(default_factory=dict, compare=False)

    @property
    def is_admin(self) -> bool:
        return Role.ADMIN in self.roles

    @property
    def is_reviewer(self) -> bool:
        return Role.REVIEWER in self.roles

    @property
    def is_leadership(self) -> bool:
        return Role.LEADERSHIP in self.roles

    @property
    def labels(self) -> list[str]:
        return [str(Role(role).label) for role in Role.values if role in self.roles]

    @property
    def agency_ids(self) -> frozenset[int]:
        return self.officer_of | self.head_of

    @property
    def own_agency_ids(self) -> frozenset[int]:
        """Every agency the person belongs to: a reviewer never appraises any of these agencies' sheets."""
        return self.agency_ids | ({self.reviewer_of} if self.reviewer_of else frozenset())

    @property
    def sees_all_submitted(self) -> bool:
        """Province-wide readers: they see every agency's work once it has been submitted."""
        return self.is_admin or self.is_reviewer or self.is_leadership


_CACHE_ATTR = "_parindex_roles"


def roles_of(user: AbstractBaseUser | AnonymousUser) -> UserRoles:
    """One query per request, cached on the user object; a superuser counts as administrator."""
    if not user.is_authenticated:
        return UserRoles()
    cached = getattr(user, _CACHE_ATTR, None)
    if cached is not None:
        return cached
    roles, officer_of, head_of, names = set(), set(), set(), {}
    reviewer_of = None
    for role, agency_id, agency_name in RoleAssignment.objects.filter(user_id=user.pk).values_list(
        "role", "agency_id", "agency__name"
    ):
        roles.add(role)
        if role == Role.OFFICER:
            officer_of.add(agency_id)
        elif role == Role.HEAD:
            head_of.add(agency_id)
        elif role == Role.REVIEWER:
            reviewer_of = agency_id
        if agency_id:
            names[agency_id] = agency_name
    if getattr(user, "is_superuser", False):
        roles.add(Role.ADMIN)
    result = UserRoles(frozenset(roles), frozenset(officer_of), frozenset(head_of), reviewer_of, names)
    setattr(user, _CACHE_ATTR, result)
    return result


def require_admin(user: AbstractBaseUser | AnonymousUser) -> UserRoles:
    roles = roles_of(user)
    if not roles.is_admin:
        raise PermissionDenied(_("Chỉ quản trị (Sở Nội vụ) được thực hiện thao tác này."))
    return roles


def acting_user(request: HttpRequest) -> User:
    """The signed-in user a write is recorded against.

    LoginRequiredMiddleware keeps anonymous visitors out of the app's views; the check makes that visible to
    the type checker too, and refuses rather than records an anonymous change if the middleware is ever
    left out.
    """
    if not request.user.is_authenticated:
        raise PermissionDenied
    return request.user
