from django.urls import path

from dossiers import views

urlpatterns = [
    path("", views.figures_list, name="figures_list"),
    path("nhap-so-lieu/", views.figures_entry, name="figures_entry"),
    path("tai-len/", views.figures_import, name="figures_import"),
    path("mau/", views.figures_template, name="figures_template"),
    path("bao-cao/", views.dossier_report, name="dossier_report"),
    path("<int:pk>/", views.figures_detail, name="figures_detail"),
]
