from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from organisations.roles import require_admin, roles_of
from parindex.xlsx import xlsx_response

from .editor_html import editor_rows_html
from .excel import build_workbook, import_index_set
from .forms import CopyForm, ImportForm, NodeEditFormSet, editor_errors, editor_initial, editor_rows
from .models import IndexSet
from .selectors import index_sets_with_counts, tree_nodes
from .services import frozen_message, index_set_copy, index_set_replace_nodes, rows_from_nodes, set_totals
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


EDITOR_PREFIX = "r"


def index_set_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The whole set as one editable table (the columns of the Excel template); saved all or nothing
    under the import's tree rules, only while no period uses the set."""
    require_admin(request.user)
    index_set = get_object_or_404(IndexSet, pk=pk)
    if index_set.is_frozen:
        return render(
            request,
            "criteria/index_set_edit.html",
            {"index_set": index_set, "refusal": frozen_message(index_set)},
            status=409,
        )
    errors: list[str] = []
    show_errors = False
    if request.method != "POST":
        nodes = tree_nodes(index_set)
        leaves = {n.code for n in nodes if n.is_leaf}
        formset = NodeEditFormSet(prefix=EDITOR_PREFIX, initial=editor_initial(rows_from_nodes(nodes), leaves))
    elif "add_row" in request.POST:
        # One more blank line at the bottom; nothing is checked or saved until «Lưu».
        data = request.POST.copy()
        total = f"{EDITOR_PREFIX}-TOTAL_FORMS"
        data[total] = str(int(data.get(total) or 0) + 1)
        formset = NodeEditFormSet(data, prefix=EDITOR_PREFIX)
    else:
        formset = NodeEditFormSet(request.POST, prefix=EDITOR_PREFIX)
        show_errors = True
        if formset.is_valid():
            try:
                index_set_replace_nodes(index_set=index_set, rows=editor_rows(formset))
            except TreeInvalid as exc:
                errors = editor_errors(formset, exc.errors)
            except ValidationError as exc:  # frozen meanwhile: a period was opened with this set
                errors = exc.messages
            else:
                messages.success(
                    request,
                    _("Đã lưu bộ chỉ số «%(name)s» (phiên bản %(version)s).")
                    % {"name": index_set.name, "version": index_set.version},
                )
                return redirect("criteria:detail", pk=index_set.pk)
        else:
            errors = [str(e) for e in formset.non_form_errors()]
    # Every message once more above the table, each linking to its row: a long set is not searched by eye.
    row_errors = [
        (number, str(form.fields[name].label) if name in form.fields else "", message)
        for number, form in enumerate(formset.forms, start=1)
        if show_errors
        for name, messages_ in form.errors.items()
        for message in messages_
    ]
    invalid = bool(errors or row_errors)
    return render(
        request,
        "criteria/index_set_edit.html",
        {
            "index_set": index_set,
            "formset": formset,
            "rows_html": editor_rows_html(formset, show_errors=show_errors),
            "errors": errors,
            "row_errors": row_errors,
            "show_errors": show_errors,
            "invalid": invalid,
        },
        status=400 if invalid else 200,
    )
