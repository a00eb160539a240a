"""Texts of Django's administration and of third-party apps that their Vietnamese catalogs
lack (or translate badly); listed here so that makemessages keeps them in ours, which takes
precedence. Nothing imports the names: only the catalog needs them."""

from django.utils.translation import gettext_noop as _

ADMIN_TEXTS = [
    _("Skip to main content"),
    _("Toggle theme (current theme: auto)"),
    _("Toggle theme (current theme: light)"),
    _("Toggle theme (current theme: dark)"),
    _("Models in the %(name)s application"),
    _("Model name"),
    _("Add link"),
    _("Change or view list link"),
    _("Breadcrumbs"),
    _("Toggle navigation"),
    _("Sidebar"),
    _("Show counts"),
    _("Start typing to filter…"),
    _("Filter navigation items"),
    _("View selected %(model)s"),
    _("Export"),
    _("Import"),
    _("access attempt"),
    _("access attempts"),
    _("access failure"),
    _("access failures"),
    _("access log"),
    _("access logs"),
    _("Token"),
    _("Tokens"),
    _("Auth Token"),
    _("Task Result"),
    _("Task Results"),
]
