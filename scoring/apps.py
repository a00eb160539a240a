from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "scoring"
    verbose_name = _("Scoring")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_save

        from scoring.assessment import deadlines  # noqa: F401 - registers the scheduled jobs
        from scoring.models import Criterion
        from scoring.publication import background  # noqa: F401 - registers the job kinds

        post_save.connect(_criteria_changed, sender=Criterion, dispatch_uid="criteria_version")
        post_delete.connect(_criteria_changed, sender=Criterion, dispatch_uid="criteria_version")


def _criteria_changed(sender: object, instance: object, **kwargs: object) -> None:
    from scoring.criteria.trees import count_criteria_change

    count_criteria_change(instance.criteria_set_id)  # type: ignore[attr-defined]
