"""Database triggers that renew the publication token (cchc.ChangeToken) whenever anything a
published ranking page reads is written (scoring/publication/changes.py). The list is frozen
here as it was when written; a change to it needs a migration of its own."""

from django.db import migrations

from cchc.change_tokens import Watch, token_triggers

TOPIC = "publication"
WATCHES = (
    Watch("cchc_unit"),
    Watch("cchc_lineage"),
    Watch("cchc_reorganisation"),
    Watch("cchc_roleassignment"),
    Watch(
        "cchc_user",
        ("username", "full_name", "first_name", "last_name", "is_staff", "is_active"),
    ),
    Watch("scoring_criteriaset"),
    Watch("scoring_criterion"),
    Watch("scoring_rankinggroup"),
    Watch("scoring_decision"),
    Watch("scoring_publishedresult"),
    Watch("scoring_assessment", ("state", "unit_id", "criteria_set_id")),
    Watch(
        "scoring_assessmentitem",
        ("source_warning", "assessment_id"),
        rows="ROW.source_warning <> ''",
    ),
)


class Migration(migrations.Migration):
    dependencies = [
        ("cchc", "0007_change_tokens"),
        ("scoring", "0009_criteria_version"),
    ]

    operations = [token_triggers(TOPIC, WATCHES)]
