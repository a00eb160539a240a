from django.urls import path

from surveys.views import manage, public

urlpatterns = [
    # Staff pages.
    path("quan-ly/", manage.questionnaire_list, name="questionnaire_list"),
    path("quan-ly/<int:pk>/", manage.questionnaire_detail, name="questionnaire_detail"),
    path("quan-ly/<int:pk>/tep/", manage.questionnaire_export, name="questionnaire_export"),
    path("quan-ly/<int:pk>/sao-chep/", manage.questionnaire_copy, name="questionnaire_copy"),
    path("quan-ly/<int:pk>/mo/", manage.questionnaire_open, name="questionnaire_open"),
    path("quan-ly/<int:pk>/dong/", manage.questionnaire_close, name="questionnaire_close"),
    path("quan-ly/<int:pk>/du-lieu-mo/", manage.open_data, name="survey_open_data"),
    path("quan-ly/<int:pk>/phieu-giay/tai-len/", manage.paper_import, name="paper_import"),
    path("quan-ly/<int:pk>/xem-xet/", manage.review_list, name="survey_review"),
    path(
        "quan-ly/<int:pk>/xem-xet/<int:response_pk>/",
        manage.review_decide,
        name="survey_review_decide",
    ),
    path("quan-ly/<int:pk>/don-vi/<int:unit_pk>/", manage.unit_page, name="survey_unit"),
    path("quan-ly/<int:pk>/don-vi/<int:unit_pk>/ap-phich/", manage.poster, name="survey_poster"),
    path("quan-ly/<int:pk>/don-vi/<int:unit_pk>/ma-moi/", manage.tokens, name="survey_tokens"),
    path(
        "quan-ly/<int:pk>/don-vi/<int:unit_pk>/phieu-giay/", manage.paper_entry, name="paper_entry"
    ),
    # The public form: no sign-in; reached only through a unit's random address.
    path("<str:slug>/", public.survey_form, name="survey_form"),
    path("<str:slug>/cam-on/", public.survey_thanks, name="survey_thanks"),
]
