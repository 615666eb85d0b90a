"""Every named URL of the app is in one of the permission matrices, so a new view cannot be added
without someone deciding, in a test, who may reach it."""

from types import SimpleNamespace

from django.urls import URLPattern, URLResolver, get_resolver

from . import (
    test_appraisal_adjustments,
    test_appraisal_explain,
    test_appraisal_groups,
    test_appraisal_publish,
    test_appraisal_survey,
    test_appraisal_work,
    test_assessment_permissions,
    test_criteria_pages,
    test_evidence,
    test_login_security,
    test_notices,
    test_people,
    test_reports_analysis,
    test_reports_dashboard,
    test_reports_documents,
    test_reports_exports,
    test_reports_ranking,
)
from .test_appraisal_assign import MATRIX as APPRAISAL_ASSIGN

# Reached without an object or a role: the login page and language switch are public, the home page
# and logout only need a session (covered by test_login_required_everywhere and the login tests).
PUBLIC = {"home", "login", "logout", "set_language"}


def named_routes(resolver: URLResolver, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.app_name == "admin":  # Django's admin checks staff status itself
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= named_routes(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def covered() -> set[str]:
    anything = SimpleNamespace(pk=1)
    return (
        {f"assessments:{name}" for _method, name in test_assessment_permissions.DRAFT}
        | {f"evidence:{name}" for name in test_evidence.READS + test_evidence.WRITES}
        | {f"people:{name}" for name in test_people.people_urls(anything, anything)}
        | {f"criteria:{name}" for name in test_criteria_pages.MATRIX}
        | {"criteria:copy"}  # test_only_admin_may_copy
        | {f"appraisal:{name}" for name in test_appraisal_survey.MATRIX + test_appraisal_adjustments.MATRIX}
        | {f"appraisal:{name}" for name in test_appraisal_work.GETS + test_appraisal_work.POSTS}
        | {f"appraisal:{name}" for name in APPRAISAL_ASSIGN}
        | test_login_security.ROUTES
        | {f"appraisal:{name}" for name in test_appraisal_explain.ROUTES}
        | {f"appraisal:{name}" for name in [*test_appraisal_publish.ACTIONS, *test_appraisal_publish.READS]}
        | {f"appraisal:{name}" for name in [*test_appraisal_groups.ACTIONS, "groups"]}
        | {"public:ranking"}  # test_appraisal_publish: public page tests, anonymous included
        | test_reports_ranking.ROUTES  # test_permission_matrix, before and after publication
        | test_notices.ROUTES  # test_everyone_sees_and_marks_only_their_own_notices and the anonymous test
        | test_reports_documents.ROUTES  # test_permission_matrix, before and after publication
        | {f"reports:{name}" for name in test_reports_exports.ROUTES}  # start, follow, download, list matrices
        | test_reports_dashboard.ROUTES  # test_permission_matrix, before and after publication
        | test_reports_analysis.ROUTES  # test_scorecard_permission_matrix, test_ranking_pages_permission_matrix
        | PUBLIC
    )


def test_every_route_is_in_a_permission_matrix():
    routes = named_routes(get_resolver())
    assert len(routes) > 30
    assert routes - covered() == set(), "thêm đường dẫn mới vào ma trận quyền"
    assert covered() - routes == set()  # no stale entries either
