from django.urls import path

from scoring.views import assessments, criteria

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

assessment_urls = [
    path("", assessments.assessment_list, name="assessment_list"),
    path("<int:pk>/", assessments.assessment_page, name="assessment_page"),
    path("<int:pk>/nop/", assessments.assessment_submit, name="assessment_submit"),
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
