"""The set editor's table rows, built in Python.

A department set has ~150 nodes × 14 inputs; Django's template engine took ~0,45 s to render them cell by
cell (and ``format_html`` ~0,15 s, most of it in lazy-string escaping). Plain strings escaped with the
standard library's ``html.escape`` cost a few milliseconds. Every value typed or stored goes through
``_e``; the page around the rows stays a Django template.
"""

from html import escape

from django.forms import BaseFormSet, BoundField
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

# (field, kind, size): the columns of the Excel template, in its order («wide»: a long text column).
_CELLS = [
    ("code", "input", "7"),
    ("title", "textarea", "wide"),
    ("max_points", "number", "5"),
    ("method", "select", ""),
    ("step", "number", "4"),
    ("deduction_per_event", "number", "4"),
    ("tiers", "textarea", ""),
    ("is_survey", "checkbox", ""),
    ("allow_not_applicable", "checkbox", ""),
    ("guidance", "textarea", "wide"),
    ("evidence_required", "textarea", "wide"),
    ("lead_agency", "input", "12"),
]


def _e(value: object) -> str:
    return "" if value is None else escape(str(value), quote=True)


def _cell(field: BoundField, kind: str, size: str, label: str, errors: list[str]) -> str:
    """One input with its messages; ``label`` is already escaped."""
    invalid = " is-invalid" if errors else ""
    name = _e(field.html_name)
    value = field.value()
    if kind == "checkbox":
        checked = " checked" if value else ""
        control = (
            f'<input class="form-check-input{invalid}" type="checkbox" name="{name}" aria-label="{label}"{checked}>'
        )
    elif kind == "textarea":
        control = (
            f'<textarea class="form-control form-control-sm{invalid}" name="{name}" rows="2" '
            f'aria-label="{label}">{_e(value)}</textarea>'
        )
    elif kind == "select":
        chosen = "" if value is None else str(value)
        options = "".join(
            f'<option value="{_e(choice)}"{" selected" if chosen == str(choice) else ""}>{_e(text)}</option>'
            for choice, text in field.field.choices  # type: ignore[attr-defined]
        )
        control = (
            f'<select class="form-select form-select-sm{invalid}" name="{name}" aria-label="{label}">{options}</select>'
        )
    else:
        mode = ' inputmode="decimal"' if kind == "number" else ""
        control = (
            f'<input class="form-control form-control-sm{invalid}" name="{name}" value="{_e(value)}" '
            f'size="{size}"{mode} aria-label="{label}">'
        )
    classes = " ".join(c for c in ("editor-wide" if size == "wide" else "", "editor-error" if errors else "") if c)
    messages = "".join(f'<div class="invalid-feedback d-block">{_e(e)}</div>' for e in errors)
    return f'<td class="{classes}">{control}{messages}</td>'


def editor_rows_html(formset: BaseFormSet, *, show_errors: bool) -> SafeString:
    """Every row of the editor: number, the Excel columns, «Xóa»; messages under their inputs."""
    row_word, delete_word = _("dòng"), _e(_("Xóa dòng"))
    if not formset.forms:
        return mark_safe("")
    labels = {name: _e(formset.forms[0].fields[name].label) for name, _kind, _size in _CELLS}
    rows = []
    for number, form in enumerate(formset.forms, start=1):
        errors = form.errors if show_errors else {}
        row_label = _e(f", {row_word} {number}")
        cells = "".join(
            _cell(form[name], kind, size, labels[name] + row_label, list(errors.get(name, [])))
            for name, kind, size in _CELLS
        )
        delete, orig = form["DELETE"], form["orig_code"]
        rows.append(
            f'<tr id="dong-{number}"{' class="table-danger"' if errors else ""}>'
            f'<td class="text-body-secondary small">{number}'
            f'<input type="hidden" name="{_e(orig.html_name)}" value="{_e(orig.value())}"></td>{cells}'
            f'<td><input class="form-check-input" type="checkbox" name="{_e(delete.html_name)}" '
            f'aria-label="{delete_word} {number}"{" checked" if delete.value() else ""}></td></tr>'
        )
    return mark_safe("\n".join(rows))  # noqa: S308 - every value in the rows is escaped by _e
