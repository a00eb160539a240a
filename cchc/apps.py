from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CchcConfig(AppConfig):
    name = "cchc"
    verbose_name = _("Units and people")

    def ready(self) -> None:
        from cchc import notifications  # noqa: F401 - registers its scheduled jobs
