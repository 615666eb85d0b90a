from django.urls import path

from . import views_assign, views_explain, views_groups, views_results, views_survey, views_work

app_name = "appraisal"
urlpatterns = [
    # The reviewer's work (views_work): the queue, by agency, by criterion, and the row writes.
    path("", views_work.queue, name="queue"),
    path("bai/<int:pk>/", views_work.sheet_view, name="sheet"),
    path("bai/<int:pk>/luu/<int:score_pk>/", views_work.save, name="save"),
    path("bai/<int:pk>/yeu-cau/<int:score_pk>/", views_work.request_view, name="request"),
    path("giu-diem-tu-cham/", views_work.accept_many, name="accept_many"),
    path("ky/<int:period_pk>/tieu-chi/<int:node_pk>/", views_work.criterion_view, name="criterion"),
    # Survey points and bonus/penalty (Sở Nội vụ).
    path("ky/<int:pk>/dieu-tra/", views_survey.survey_page, name="survey"),
    path("ky/<int:pk>/dieu-tra/mau.xlsx", views_survey.survey_template, name="survey_template"),
    path("ky/<int:pk>/dieu-tra/nhap/", views_survey.survey_import, name="survey_import"),
    path("ky/<int:pk>/dieu-tra/don-vi/<int:assessment_pk>/", views_survey.survey_agency, name="survey_agency"),
    path("ky/<int:pk>/thuong-tru/", views_survey.adjustments_page, name="adjustments"),
    path(
        "ky/<int:pk>/thuong-tru/<int:adjustment_pk>/huy/",
        views_survey.adjustment_withdraw_view,
        name="adjustment_withdraw",
    ),
    # Rounds and explanations (views_explain).
    path("ky/<int:pk>/giai-trinh/", views_explain.period_view, name="explanations"),
    path("ky/<int:pk>/giai-trinh/tra-lai/", views_explain.return_view, name="return"),
    path("bai/<int:pk>/giai-trinh/", views_explain.answer_page, name="answer"),
    path("bai/<int:pk>/giai-trinh/yeu-cau/<int:request_pk>/", views_explain.answer_save, name="answer_save"),
    path("bai/<int:pk>/giai-trinh/tieu-chi/<int:score_pk>/tai-len/", views_explain.answer_upload, name="answer_upload"),
    path(
        "bai/<int:pk>/giai-trinh/tieu-chi/<int:score_pk>/van-ban/",
        views_explain.answer_document,
        name="answer_document",
    ),
    path("bai/<int:pk>/giai-trinh/gui/", views_explain.answer_send, name="answer_send"),
    path("bai/<int:pk>/tieu-chi/<int:score_pk>/lich-su/", views_explain.leaf_history_view, name="leaf_history"),
    # Results, finalisation and publication (views_results).
    path("ky/<int:pk>/ket-qua/", views_results.results_view, name="results"),
    path("ky/<int:pk>/cong-bo/", views_results.publication_view, name="publication"),
    path("ky/<int:pk>/cong-bo/chot/", views_results.finalise_view, name="finalise"),
    path("ky/<int:pk>/cong-bo/cong-bo/", views_results.publish_view, name="publish"),
    path("ky/<int:pk>/cong-bo/huy/", views_results.unpublish_view, name="unpublish"),
    path("ky/<int:pk>/cong-bo/cong-khai/", views_results.public_ranking_toggle, name="public_ranking_toggle"),
    # Ranking groups of a period (views_groups).
    path("ky/<int:pk>/khoi-xep-hang/", views_groups.groups_page, name="groups"),
    path("ky/<int:pk>/khoi-xep-hang/tao/", views_groups.groups_start, name="groups_start"),
    path("ky/<int:pk>/khoi-xep-hang/them/", views_groups.group_add, name="group_add"),
    path("ky/<int:pk>/khoi-xep-hang/chuyen/", views_groups.group_move_view, name="group_move"),
    path("ky/<int:pk>/khoi-xep-hang/bo/", views_groups.groups_reset_view, name="groups_reset"),
    path("ky/<int:pk>/khoi-xep-hang/<int:group_pk>/sua/", views_groups.group_edit, name="group_edit"),
    path("ky/<int:pk>/khoi-xep-hang/<int:group_pk>/xoa/", views_groups.group_remove, name="group_remove"),
    # Reviewer assignments of a period (views_assign).
    path("ky/<int:period_pk>/phan-cong/", views_assign.assignments_page, name="assignments"),
    path("ky/<int:period_pk>/phan-cong/them/", views_assign.assignment_add, name="assignment_add"),
    path("ky/<int:period_pk>/phan-cong/<int:pk>/bo/", views_assign.assignment_remove_view, name="assignment_remove"),
    path("ky/<int:period_pk>/phan-cong/sao-chep/", views_assign.assignments_copy, name="assignments_copy"),
    path("ky/<int:period_pk>/bat-dau-tham-dinh/", views_assign.start_appraisal, name="start_appraisal"),
]
