"""Django's admin, with the project's site (``cchc.admin_site.CchcAdminSite``)."""

from django.contrib.admin.apps import AdminConfig


class CchcAdminConfig(AdminConfig):
    default_site = "cchc.admin_site.CchcAdminSite"
