from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Scoring")

    def ready(self) -> None:
        from scoring.assessment import deadlines  # noqa: F401 - registers the scheduled jobs
        from scoring.publication import background  # noqa: F401 - registers the job kinds
