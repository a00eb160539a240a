"""Addresses of scoring: criteria sets, assessments, evidence, appraisal, results."""

from django.urls import path

from scoring.views import (
    appraisal,
    assessments,
    audit,
    council,
    criteria,
    dashboard,
    evidence,
    publication,
    reports,
)

urlpatterns = [
    path("", dashboard.home, name="home"),
    path("bo-tieu-chi/", criteria.criteria_set_list, name="criteria_set_list"),
    path("bo-tieu-chi/nhap/", criteria.criteria_import, name="criteria_import"),
    path("bo-tieu-chi/mau/", criteria.criteria_template, name="criteria_template"),
    path("bo-tieu-chi/<int:pk>/", criteria.criteria_set_detail, name="criteria_set_detail"),
    path("bo-tieu-chi/<int:pk>/xuat/", criteria.criteria_export, name="criteria_export"),
    path("bo-tieu-chi/<int:pk>/sao-chep/", criteria.criteria_copy, name="criteria_copy"),
    path("bo-tieu-chi/<int:pk>/cong-bo/", criteria.criteria_publish, name="criteria_publish"),
    path("bo-tieu-chi/<int:pk>/nhom-xep-hang/", criteria.criteria_groups, name="criteria_groups"),
    path(
        "bo-tieu-chi/<int:set_pk>/mo-danh-gia/",
        assessments.assessments_open,
        name="assessments_open",
    ),
    path("danh-gia/<int:pk>/giai-trinh/", appraisal.explanation_page, name="explanation_page"),
    path(
        "danh-gia/<int:pk>/giai-trinh/gui/",
        appraisal.explanation_submit,
        name="explanation_submit",
    ),
    path(
        "danh-gia/<int:pk>/giai-trinh/<int:request_pk>/",
        appraisal.explanation_answer,
        name="explanation_answer",
    ),
    path("danh-gia/<int:pk>/diem-tru/", reports.deduction_report_page, name="deduction_report"),
    path("danh-gia/<int:pk>/khac-phuc/", reports.remediation_page, name="remediation_page"),
    path(
        "danh-gia/<int:pk>/khac-phuc/<int:task_pk>/",
        reports.remediation_update,
        name="remediation_update",
    ),
    path("danh-gia/", assessments.assessment_list, name="assessment_list"),
    path("danh-gia/<int:pk>/", assessments.assessment_page, name="assessment_page"),
    path("danh-gia/<int:pk>/nop/", assessments.assessment_submit, name="assessment_submit"),
    path(
        "danh-gia/<int:pk>/linh-vuc/<str:code>/",
        assessments.assessment_field,
        name="assessment_field",
    ),
    path(
        "danh-gia/<int:pk>/phe-duyet/", assessments.assessment_sign_off, name="assessment_sign_off"
    ),
    path(
        "danh-gia/<int:pk>/cong-van/<int:letter_pk>.<str:format>",
        assessments.letter_download,
        name="letter_download",
    ),
    path("danh-gia/<int:pk>/mo-lai/", assessments.assessment_reopen, name="assessment_reopen"),
    path("danh-gia/<int:pk>/muc/<int:criterion_pk>/", assessments.item_save, name="item_save"),
    path(
        "danh-gia/<int:pk>/muc/<int:criterion_pk>/them-tai-lieu/",
        evidence.evidence_panel,
        name="evidence_panel",
    ),
    path(
        "danh-gia/<int:pk>/muc/<int:criterion_pk>/tai-lieu/",
        evidence.evidence_upload,
        name="evidence_upload",
    ),
    path(
        "danh-gia/<int:pk>/muc/<int:criterion_pk>/lien-ket/",
        evidence.evidence_link,
        name="evidence_link",
    ),
    path(
        "danh-gia/<int:pk>/muc/<int:criterion_pk>/bo/<int:link_pk>/",
        evidence.evidence_unlink,
        name="evidence_unlink",
    ),
    path("tai-lieu/<int:pk>/", evidence.evidence_download, name="evidence_download"),
    path("tai-lieu/<int:pk>/thay/", evidence.evidence_replace, name="evidence_replace"),
    path("tham-dinh/", appraisal.appraisal_list, name="appraisal_list"),
    path("tham-dinh/<int:pk>/", appraisal.appraisal_page, name="appraisal_page"),
    path("tham-dinh/<int:pk>/muc/<int:criterion_pk>/", appraisal.appraise, name="appraise"),
    path(
        "tham-dinh/<int:pk>/muc/<int:criterion_pk>/lich-su/",
        appraisal.item_history,
        name="item_history",
    ),
    path("tham-dinh/<int:pk>/tra-lai/", appraisal.appraisal_return, name="appraisal_return"),
    path("tham-dinh/<int:pk>/chuyen/<str:name>/", appraisal.appraisal_move, name="appraisal_move"),
    path("xep-hang/", publication.ranking_page, name="ranking"),
    path("xep-hang/nen/", publication.ranking_job, name="ranking_job"),
    path("ket-qua/<int:pk>/", publication.scorecard_page, name="scorecard"),
    path(
        "bo-tieu-chi/<int:set_pk>/cong-bo-ket-qua/",
        publication.publish_page,
        name="publish_results",
    ),
    path("hoi-dong/", council.council_list, name="council_list"),
    path("hoi-dong/<int:pk>/", council.council_page, name="council_page"),
    path("hoi-dong/<int:pk>/thanh-vien/", council.council_member_add, name="council_member_add"),
    path(
        "hoi-dong/<int:pk>/thanh-vien/<int:member_pk>/bo/",
        council.council_member_remove,
        name="council_member_remove",
    ),
    path("hoi-dong/<int:pk>/mo-phien/", council.council_round_open, name="council_round_open"),
    path("hoi-dong/phien/<int:pk>/", council.council_round, name="council_round"),
    path(
        "hoi-dong/phien/<int:pk>/y-kien/<int:assessment_pk>/",
        council.council_opinion,
        name="council_opinion",
    ),
    path(
        "hoi-dong/phien/<int:pk>/ket-thuc/", council.council_round_close, name="council_round_close"
    ),
    path("hoi-dong/phien/<int:pk>/bien-ban.pdf", council.council_minutes, name="council_minutes"),
    path("nhat-ky/", audit.audit_search, name="audit_search"),
    path("khac-phuc/", reports.remediation_overview, name="remediation_overview"),
]
