"""The project's addresses: the core's own pages, then each app's (included by name, so
that the core imports no app)."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.permissions import IsAuthenticated

from cchc import notification_views, style_guide, views

urlpatterns = [
    path("dang-nhap/", auth_views.LoginView.as_view(), name="login"),
    path("dang-xuat/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "doi-mat-khau/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "doi-mat-khau/xong/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path("healthz/", views.healthz, name="healthz"),
    path("huong-dan-giao-dien/", style_guide.style_guide, name="style_guide"),
    path("thong-bao/", notification_views.notification_list, name="notification_list"),
    path("thong-bao/chuong/", notification_views.bell, name="notification_bell"),
    path("thong-bao/da-doc/", notification_views.notifications_read, name="notifications_read"),
    path(
        "thong-bao/cai-dat/",
        notification_views.notification_preferences,
        name="notification_preferences",
    ),
    path("thong-bao/<int:pk>/", notification_views.notification_open, name="notification_open"),
    path("cong-viec/", views.job_list, name="job_list"),
    path("cong-viec/<int:pk>/", views.job_page, name="job_page"),
    path("cong-viec/<int:pk>/tai-ve/", views.job_download, name="job_download"),
    path("don-vi/", views.unit_list, name="unit_list"),
    path("don-vi/nhap/", views.unit_import, name="unit_import"),
    path("don-vi/xuat/", views.unit_export, name="unit_export"),
    path("don-vi/tim/", views.unit_search, name="unit_search"),
    path("don-vi/sap-xep/", views.reorganisation_list, name="reorganisation_list"),
    path("don-vi/sap-xep/<int:pk>/", views.reorganisation_page, name="reorganisation_page"),
    path("don-vi/<int:pk>/cap-duoi/", views.unit_children, name="unit_children"),
    path("don-vi/<str:code>/", views.unit_detail, name="unit_detail"),
    path("", include("scoring.urls")),
    path("ho-so-tthc/", include("dossiers.urls")),
    path("khao-sat/", include("surveys.urls")),
    path("api/", include("cchc.api")),
    path("api/", include("scoring.api")),
    path("api/", include("dossiers.api")),
    # The schema describes what signed-in users may read; it is for them only.
    path(
        "api/schema/",
        SpectacularAPIView.as_view(permission_classes=[IsAuthenticated]),
        name="api_schema",
    ),
    path("api/token/", obtain_auth_token, name="api_token"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("quan-tri/", admin.site.urls),
]
