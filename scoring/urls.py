from django.urls import path

from scoring import views

urlpatterns = [
    path("", views.criteria_set_list, name="criteria_set_list"),
    path("nhap/", views.criteria_import, name="criteria_import"),
    path("mau/", views.criteria_template, name="criteria_template"),
    path("<int:pk>/", views.criteria_set_detail, name="criteria_set_detail"),
    path("<int:pk>/xuat/", views.criteria_export, name="criteria_export"),
    path("<int:pk>/sao-chep/", views.criteria_copy, name="criteria_copy"),
    path("<int:pk>/cong-bo/", views.criteria_publish, name="criteria_publish"),
]
