"""Django admin pages render for the Sở Nội vụ officer, show the tree in order, and protect frozen sets."""

import pytest
from django.urls import reverse

from criteria.models import Node
from criteria.services import index_set_freeze

from .factories import make_agency, make_index_set, open_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_(client, django_user_model):
    admin = django_user_model.objects.create_superuser("sa", "sa@example.org", "x")
    client.force_login(admin)
    return client


@pytest.mark.parametrize(
    "name",
    [
        "admin:index",
        "admin:criteria_indexset_changelist",
        "admin:criteria_node_changelist",
        "admin:organisations_agency_changelist",
        "admin:organisations_roleassignment_changelist",
        "admin:assessments_period_changelist",
        "admin:assessments_assessment_changelist",
    ],
)
def test_admin_pages_render(admin_client_, name):
    make_index_set()
    response = admin_client_.get(reverse(name))
    assert response.status_code == 200


def test_index_set_change_page_shows_tree_in_order(admin_client_):
    index_set = make_index_set()
    response = admin_client_.get(reverse("admin:criteria_indexset_change", args=[index_set.pk]))
    assert response.status_code == 200
    text = response.text
    titles = ["Công tác chỉ đạo, điều hành", "Kế hoạch CCHC năm", "Ban hành kế hoạch theo dõi", "Điều tra xã hội học"]
    assert [text.index(t) for t in titles] == sorted(text.index(t) for t in titles)


def test_node_change_page_and_frozen_set(admin_client_):
    index_set = make_index_set()
    node = index_set.nodes.get(code="1.1")
    url = reverse("admin:criteria_node_change", args=[node.pk])
    response = admin_client_.post(
        url,
        {
            "title": "Kế hoạch CCHC năm (sửa)",
            "guidance": "g",
            "evidence_required": "e",
            "lead_agency": "Sở Nội vụ",
            "allow_not_applicable": "",
            "tiers-TOTAL_FORMS": "0",
            "tiers-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    assert Node.objects.get(pk=node.pk).title == "Kế hoạch CCHC năm (sửa)"

    index_set_freeze(index_set=index_set)
    response = admin_client_.post(url, {"title": "Không được sửa"})
    assert response.status_code == 403
    assert Node.objects.get(pk=node.pk).title == "Kế hoạch CCHC năm (sửa)"
    response = admin_client_.get(reverse("admin:criteria_indexset_change", args=[index_set.pk]))
    assert "đã bị khóa" in response.text


def test_copy_action_creates_new_version(admin_client_):
    index_set = make_index_set()
    response = admin_client_.post(
        reverse("admin:criteria_indexset_changelist"),
        {"action": "copy_as_new_version", "_selected_action": [index_set.pk]},
    )
    assert response.status_code == 302
    assert index_set.copies.get().version == 2


@pytest.mark.parametrize(
    ("model", "build"),
    [
        ("assessments_period", lambda: open_period(make_agency("Sở Tư pháp"))),
        ("assessments_assessment", lambda: open_period(make_agency("Sở Tư pháp")).assessments.get()),
        ("organisations_agency", lambda: make_agency("Sở Tư pháp")),
    ],
)
def test_workflow_objects_are_read_only_in_admin(admin_client_, model, build):
    """Writes belong to the app's services, which check the rules and record history; admin only shows."""
    obj = build()
    page = admin_client_.get(reverse(f"admin:{model}_change", args=[obj.pk]))
    assert page.status_code == 200 and 'name="_save"' not in page.text
    assert admin_client_.get(reverse(f"admin:{model}_add")).status_code == 403
    assert admin_client_.get(reverse(f"admin:{model}_delete", args=[obj.pk])).status_code == 403
    before = type(obj).objects.filter(pk=obj.pk).values().get()
    response = admin_client_.post(reverse(f"admin:{model}_change", args=[obj.pk]), {"name": "Đổi tên qua admin"})
    assert response.status_code == 403
    assert type(obj).objects.filter(pk=obj.pk).values().get() == before


def test_role_assignments_are_read_only_in_admin(admin_client_, django_user_model):
    from organisations.models import Role, RoleAssignment

    from .factories import make_user

    user = make_user("cv", Role.OFFICER, make_agency("Sở Tư pháp"))
    role = RoleAssignment.objects.get(user=user)
    assert admin_client_.get(reverse("admin:organisations_roleassignment_add")).status_code == 403
    response = admin_client_.post(reverse("admin:organisations_roleassignment_delete", args=[role.pk]), {"post": "yes"})
    assert response.status_code == 403 and RoleAssignment.objects.filter(pk=role.pk).exists()
