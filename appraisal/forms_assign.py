"""The assignment form: its choices come from the page's overview, so it costs no query of its own."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .assigning import Overview, reviewer_key, team_key


class AssignForm(forms.Form):
    node = forms.TypedChoiceField(label=_("Lĩnh vực, tiêu chí"), coerce=int)
    assignee = forms.ChoiceField(label=_("Giao cho"))
    for_agency = forms.TypedChoiceField(
        label=_("Chỉ cho đơn vị"),
        coerce=int,
        required=False,
        empty_value=None,
        help_text=_("Để trống: áp dụng cho mọi đơn vị. Chọn một đơn vị để giao riêng phần của đơn vị đó."),
    )

    def __init__(self, *args: Any, overview: Overview, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.overview = overview
        node_choices: list[tuple[str, Any]] = []
        for entry in overview.sets:
            label = entry.period_set.get_agency_kind_display()
            options = [
                (node.pk, f"{'· ' * (node.depth - 1)}{node.code} {node.title[:80]}")
                for node in overview.nodes.values()
                if node.index_set_id == entry.period_set.index_set_id
            ]
            node_choices.append((label, options))
        self.fields["node"].choices = [("", "—"), *node_choices]  # type: ignore[attr-defined]
        people = [(reviewer_key(pk), overview.reviewer_label(pk)) for pk in overview.reviewers]
        teams = [(team_key(pk), _("Tổ thẩm định %(agency)s") % {"agency": a.name}) for pk, a in overview.teams.items()]
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            ("", "—"),
            (_("Người thẩm định"), people),
            (_("Tổ thẩm định của cơ quan chủ trì"), teams),
        ]
        agencies: list[tuple[Any, Any]] = [
            (pk, a.name) for pk, a in overview.agencies.items() if pk in overview.participants
        ]
        self.fields["for_agency"].choices = [("", _("Mọi đơn vị")), *agencies]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        overview = self.overview
        data["node_obj"] = overview.nodes.get(data.get("node") or 0)
        key = data.get("assignee") or ""
        data["reviewer"] = overview.reviewers[int(key[1:])].user if key.startswith("r") else None
        data["team"] = overview.teams[int(key[1:])] if key.startswith("t") else None
        data["agency_obj"] = overview.agencies.get(data["for_agency"]) if data.get("for_agency") else None
        return data
