from django.urls import path

from dossiers.views import calendar, figures, records, service_index

urlpatterns = [
    path("", figures.figures_list, name="figures_list"),
    path("nhap-so-lieu/", figures.figures_entry, name="figures_entry"),
    path("tai-len/", figures.figures_import, name="figures_import"),
    path("mau/", figures.figures_template, name="figures_template"),
    path("bao-cao/", figures.dossier_report, name="dossier_report"),
    path("<int:pk>/", figures.figures_detail, name="figures_detail"),
    path("ho-so/", records.record_list, name="record_list"),
    path("ho-so/tai-len/", records.records_import, name="records_import"),
    path("ho-so/mau/", records.records_template, name="records_template"),
    path("ho-so/<int:pk>/", records.record_detail, name="record_detail"),
    path("don-vi/<int:pk>/", records.unit_figures, name="unit_figures"),
    path("chi-so-phuc-vu/", service_index.index_page, name="service_index"),
    path("chi-so-phuc-vu/bang/", service_index.index_table, name="service_index_table"),
    path(
        "chi-so-phuc-vu/<int:pk>/cong-bo/",
        service_index.portal_figure_save,
        name="portal_figure_save",
    ),
    path("lich-lam-viec/", calendar.calendar_page, name="work_calendar"),
    path("lich-lam-viec/<int:pk>/xoa/", calendar.calendar_day_delete, name="calendar_day_delete"),
]
