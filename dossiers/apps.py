from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DossiersConfig(AppConfig):
    name = "dossiers"
    verbose_name = _("Procedure dossiers")

    def ready(self) -> None:
        from dossiers import background  # noqa: F401 - registers the job kinds
