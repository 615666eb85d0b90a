from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from organisations.roles import require_admin, roles_of
from parindex.xlsx import xlsx_response

from .excel import build_workbook, import_index_set
from .forms import CopyForm, ImportForm
from .models import IndexSet
from .selectors import index_sets_with_counts, tree_nodes
from .services import index_set_copy, set_totals
from .tree import TreeInvalid


def index_set_list(request: HttpRequest) -> HttpResponse:
    # Every signed-in user may read the criteria (they score against them); only admins change them.
    return render(
        request,
        "criteria/index_set_list.html",
        {"index_sets": index_sets_with_counts(), "can_manage": roles_of(request.user).is_admin},
    )


def index_set_detail(request: HttpRequest, pk: int) -> HttpResponse:
    index_set = get_object_or_404(IndexSet, pk=pk)
    return render(
        request,
        "criteria/index_set_detail.html",
        {
            "index_set": index_set,
            "nodes": tree_nodes(index_set),
            "totals": set_totals(index_set),
            "can_manage": roles_of(request.user).is_admin,
            "copy_form": CopyForm(initial={"name": index_set.name}),
        },
    )


def index_set_export(request: HttpRequest, pk: int) -> HttpResponse:
    index_set = get_object_or_404(IndexSet, pk=pk)
    return xlsx_response(build_workbook(index_set), f"bo-chi-so-{index_set.pk}-v{index_set.version}.xlsx")


def template_download(request: HttpRequest) -> HttpResponse:
    require_admin(request.user)
    return xlsx_response(build_workbook(None), "mau-bo-chi-so.xlsx")


def index_set_import(request: HttpRequest) -> HttpResponse:
    require_admin(request.user)
    errors = []
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        overrides = {k: v for k, v in data.items() if k != "file"}
        try:
            index_set = import_index_set(data["file"].read(), **overrides)
        except TreeInvalid as exc:
            errors = exc.errors
        else:
            count = index_set.nodes.count()
            messages.success(
                request,
                ngettext(
                    "Đã nhập bộ chỉ số «%(name)s», phiên bản %(version)s, với %(n)s mục.",
                    "Đã nhập bộ chỉ số «%(name)s», phiên bản %(version)s, với %(n)s mục.",
                    count,
                )
                % {"name": index_set.name, "version": index_set.version, "n": count},
            )
            if index_set.version > 1:
                # Importing a set again is how a corrected workbook comes back: a new version, the earlier
                # ones kept (a period may use them) and told apart by their number.
                messages.info(
                    request,
                    _(
                        "Đã có bộ chỉ số cùng tên cho loại cơ quan này, nên bộ vừa nhập là phiên bản %(version)s; "
                        "các phiên bản trước vẫn giữ nguyên."
                    )
                    % {"version": index_set.version},
                )
            return redirect("criteria:detail", pk=index_set.pk)
    return render(
        request, "criteria/index_set_import.html", {"form": form, "errors": errors}, status=400 if errors else 200
    )


@require_POST
def index_set_copy_view(request: HttpRequest, pk: int) -> HttpResponse:
    require_admin(request.user)
    source = get_object_or_404(IndexSet, pk=pk)
    form = CopyForm(request.POST)
    form.is_valid()
    copy = index_set_copy(source=source, name=form.cleaned_data.get("name") or None)
    messages.success(
        request,
        _("Đã tạo phiên bản %(version)s từ «%(name)s»; bản mới có thể sửa.")
        % {"version": copy.version, "name": source.name},
    )
    return redirect("criteria:detail", pk=copy.pk)
