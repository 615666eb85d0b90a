from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.urls import include, path
from django.utils.translation import gettext_lazy as _
from django.views.i18n import set_language

admin.site.site_header = _("Chỉ số CCHC – Quản trị")
admin.site.site_title = _("Chỉ số CCHC")
admin.site.index_title = _("Quản trị hệ thống")

urlpatterns = [
    path("", include("assessments.urls_home")),
    path("dang-nhap/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path("tai-khoan/", include("organisations.urls_account")),
    path("thong-bao/", include("organisations.urls_notices")),
    path("ngon-ngu/", login_not_required(set_language), name="set_language"),
    path("bo-chi-so/", include("criteria.urls")),
    path("quan-tri/", include("organisations.urls")),
    path("tai-lieu/", include("evidence.urls")),
    path("tham-dinh/", include("appraisal.urls")),
    path("cong-khai/", include("appraisal.urls_public")),
    path("bao-cao/", include("reports.urls")),
    path("", include("assessments.urls")),
    path("admin/", admin.site.urls),
]
