from django.urls import path

from scoring.views import appraisal, assessments, criteria, rankings

urlpatterns = [
    path("", criteria.criteria_set_list, name="criteria_set_list"),
    path("nhap/", criteria.criteria_import, name="criteria_import"),
    path("mau/", criteria.criteria_template, name="criteria_template"),
    path("<int:pk>/", criteria.criteria_set_detail, name="criteria_set_detail"),
    path("<int:pk>/xuat/", criteria.criteria_export, name="criteria_export"),
    path("<int:pk>/sao-chep/", criteria.criteria_copy, name="criteria_copy"),
    path("<int:pk>/cong-bo/", criteria.criteria_publish, name="criteria_publish"),
    path("<int:set_pk>/mo-danh-gia/", assessments.assessments_open, name="assessments_open"),
]

appraisal_urls = [
    path("", appraisal.appraisal_list, name="appraisal_list"),
    path("<int:pk>/", appraisal.appraisal_page, name="appraisal_page"),
    path("<int:pk>/muc/<int:criterion_pk>/", appraisal.appraise, name="appraise"),
    path("<int:pk>/tra-lai/", appraisal.appraisal_return, name="appraisal_return"),
    path("<int:pk>/chuyen/<str:name>/", appraisal.appraisal_move, name="appraisal_move"),
]

assessment_urls = [
    path("<int:pk>/giai-trinh/", appraisal.explanation_page, name="explanation_page"),
    path(
        "<int:pk>/giai-trinh/<int:request_pk>/",
        appraisal.explanation_answer,
        name="explanation_answer",
    ),
    path("<int:pk>/diem-tru/", appraisal.deduction_report_page, name="deduction_report"),
    path("<int:pk>/khac-phuc/", appraisal.remediation_page, name="remediation_page"),
    path(
        "<int:pk>/khac-phuc/<int:task_pk>/", appraisal.remediation_update, name="remediation_update"
    ),
    path("", assessments.assessment_list, name="assessment_list"),
    path("<int:pk>/", assessments.assessment_page, name="assessment_page"),
    path("<int:pk>/nop/", assessments.assessment_submit, name="assessment_submit"),
    path("<int:pk>/linh-vuc/<str:code>/", assessments.assessment_field, name="assessment_field"),
    path("<int:pk>/mo-lai/", assessments.assessment_reopen, name="assessment_reopen"),
    path("<int:pk>/muc/<int:criterion_pk>/", assessments.item_save, name="item_save"),
    path(
        "<int:pk>/muc/<int:criterion_pk>/tai-lieu/",
        assessments.evidence_upload,
        name="evidence_upload",
    ),
    path(
        "<int:pk>/muc/<int:criterion_pk>/lien-ket/", assessments.evidence_link, name="evidence_link"
    ),
    path(
        "<int:pk>/muc/<int:criterion_pk>/bo/<int:link_pk>/",
        assessments.evidence_unlink,
        name="evidence_unlink",
    ),
]

evidence_urls = [
    path("<int:pk>/", assessments.evidence_download, name="evidence_download"),
    path("<int:pk>/thay/", assessments.evidence_replace, name="evidence_replace"),
]

other_urls = [
    path("xep-hang/", rankings.ranking_page, name="ranking"),
    path("xep-hang/nen/", rankings.ranking_job, name="ranking_job"),
    path("ket-qua/<int:pk>/", rankings.scorecard_page, name="scorecard"),
    path(
        "bo-tieu-chi/<int:set_pk>/cong-bo-ket-qua/", rankings.publish_page, name="publish_results"
    ),
    path("nhat-ky/", appraisal.audit_search, name="audit_search"),
    path("khac-phuc/", appraisal.remediation_overview, name="remediation_overview"),
]
