"""Administrators' pages for agencies and user accounts: lists, forms and the Excel bulk import."""

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from organisations.models import AgencyKind
from parindex.forms import add_service_errors
from parindex.names import full_name
from parindex.xlsx import ImportInvalid, xlsx_response

from .forms import AgencyForm, OwnPasswordChangeForm, PeopleImportForm, UserForm
from .lockout import lockout_minutes, login_lockout, login_unlock
from .models import Agency, Role
from .people import agency_save, user_roles_input, user_save, users_with_roles
from .people_excel import build_people_workbook, import_people
from .roles import acting_user, require_admin


def agency_list(request: HttpRequest) -> HttpResponse:
    require_admin(request.user)
    kind = request.GET.get("kind", "")
    query = request.GET.get("q", "").strip()
    agencies = Agency.objects.select_related("merged_into").annotate(
        people=Count("role_assignments__user", distinct=True)
    )
    if kind in AgencyKind.values:
        agencies = agencies.filter(kind=kind)
    if query:
        agencies = agencies.filter(Q(name__icontains=query) | Q(short_name__icontains=query))
    if request.GET.get("state") == "inactive":
        agencies = agencies.filter(is_active=False)
    elif request.GET.get("state") != "all":
        agencies = agencies.filter(is_active=True)
    return render(
        request,
        "people/agency_list.html",
        {
            "agencies": agencies,
            "kinds": AgencyKind.choices,
            "kind": kind,
            "q": query,
            "state": request.GET.get("state", ""),
        },
    )


def agency_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_admin(request.user)
    agency = get_object_or_404(Agency, pk=pk) if pk is not None else Agency()
    form = AgencyForm(request.POST or None, instance=agency)
    if request.method == "POST" and form.is_valid():
        try:
            agency_save(agency=agency, **form.cleaned_data)
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu «%(agency)s».") % {"agency": agency.name})
            return redirect("people:agencies")
    return render(request, "people/agency_form.html", {"form": form, "agency": agency})


def user_list(request: HttpRequest) -> HttpResponse:
    require_admin(request.user)
    query = request.GET.get("q", "").strip()
    role = request.GET.get("role", "")
    users = get_user_model().objects.order_by("username")
    if query:
        users = users.filter(
            Q(username__icontains=query)
            | Q(first_name__icontains=query)
            | Q(last_name__icontains=query)
            | Q(role_assignments__agency__name__icontains=query)
            | Q(role_assignments__agency__short_name__icontains=query)
        ).distinct()
    if role in Role.values:
        users = users.filter(role_assignments__role=role).distinct()
    return render(
        request,
        "people/user_list.html",
        {"users": users_with_roles(users), "roles": Role.choices, "role": role, "q": query},
    )


def user_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    require_admin(request.user)
    actor = acting_user(request)
    user = get_object_or_404(get_user_model(), pk=pk) if pk is not None else None
    initial = {}
    if user is not None:
        current = user_roles_input(user)
        initial = {
            "username": user.username,
            "full_name": full_name(user) if (user.first_name or user.last_name) else "",
            "email": user.email,
            "is_active": user.is_active,
            "province_roles": sorted(current.province),
            "officer_of": sorted(current.officer_of),
            "head_of": sorted(current.head_of),
            "reviewer_of": current.reviewer_of,
        }
    form = UserForm(request.POST or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = user_save(
                user=user or get_user_model()(),
                username=data["username"],
                full_name=data["full_name"],
                email=data["email"],
                is_active=data["is_active"],
                password=data["password"] or None,
                roles=form.roles(),
                acting_user=actor,
            )
        except ValidationError as exc:
            add_service_errors(form, exc)
        else:
            messages.success(request, _("Đã lưu tài khoản «%(login)s».") % {"login": saved.username})
            return redirect("people:users")
    lockout = login_lockout(user.username) if user is not None else None
    return render(request, "people/user_form.html", {"form": form, "edited": user, "lockout": lockout})


@require_POST
def user_unlock(request: HttpRequest, pk: int) -> HttpResponse:
    require_admin(request.user)
    user = get_object_or_404(get_user_model(), pk=pk)
    login_unlock(user=user, acting_user=acting_user(request))
    messages.success(request, _("Đã mở khóa đăng nhập cho tài khoản «%(login)s».") % {"login": user.username})
    return redirect("people:user_edit", pk=user.pk)


# ---- signing in: the lockout page and changing one's own password ------------------------------------------


def login_locked_out(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: dict[str, Any] | None = None
) -> HttpResponse:
    """django-axes' AXES_LOCKOUT_CALLABLE: the login page again, saying for how long and whom to ask."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    form = AuthenticationForm(request, initial={"username": username})
    message = _(
        "Đăng nhập đang tạm khóa vì đã nhập sai mật khẩu %(limit)s lần (với tài khoản này hoặc từ máy này). "
        "Hãy thử lại sau %(minutes)s phút, hoặc liên hệ quản trị viên Sở Nội vụ để được mở khóa ngay."
    ) % {"limit": settings.AXES_FAILURE_LIMIT, "minutes": lockout_minutes()}
    return render(request, "registration/login.html", {"form": form, "lockout_message": message}, status=429)


class PasswordChangeView(auth_views.PasswordChangeView):
    """Django's view (it keeps the session signed in) with our form, page and message."""

    form_class = OwnPasswordChangeForm
    template_name = "registration/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form: PasswordChangeForm) -> HttpResponse:
        response = super().form_valid(form)
        messages.success(self.request, _("Đã đổi mật khẩu. Lần đăng nhập sau hãy dùng mật khẩu mới."))
        return response


def people_import(request: HttpRequest) -> HttpResponse:
    require_admin(request.user)
    errors = []
    form = PeopleImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            result = import_people(form.cleaned_data["file"].read())
        except ImportInvalid as exc:
            errors = exc.errors
        else:
            messages.success(
                request,
                _(
                    "Đã nhập: %(agencies_created)s đơn vị mới, %(agencies_updated)s đơn vị cập nhật; "
                    "%(users_created)s người dùng mới, %(users_updated)s người dùng cập nhật."
                )
                % vars(result),
            )
            return redirect("people:users")
    return render(request, "people/import.html", {"form": form, "errors": errors}, status=400 if errors else 200)


def people_template(request: HttpRequest) -> HttpResponse:
    require_admin(request.user)
    return xlsx_response(build_people_workbook(with_data=False), "mau-co-quan-nguoi-dung.xlsx")


def people_export(request: HttpRequest) -> HttpResponse:
    require_admin(request.user)
    return xlsx_response(build_people_workbook(with_data=True), "co-quan-nguoi-dung.xlsx")
