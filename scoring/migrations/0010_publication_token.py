"""Database triggers that renew the publication token (cchc.ChangeToken) whenever anything a
published ranking page reads is written (scoring/publication/changes.py). The list is frozen
here as it was when written; a change to it needs a migration of its own."""

import secrets

from django.db import migrations

from cchc.change_tokens import Watch, create_triggers_sql, drop_triggers_sql

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


def create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in create_triggers_sql(vendor, TOPIC, WATCHES):
        schema_editor.execute(statement, params=None)
    schema_editor.execute(
        "INSERT INTO cchc_changetoken (topic, token) VALUES (%s, %s)", [TOPIC, secrets.token_hex(16)]
    )


def drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for statement in drop_triggers_sql(vendor, TOPIC, WATCHES):
        schema_editor.execute(statement, params=None)
    schema_editor.execute("DELETE FROM cchc_changetoken WHERE topic = %s", [TOPIC])


class Migration(migrations.Migration):
    dependencies = [
        ("cchc", "0007_change_tokens"),
        ("scoring", "0009_criteria_version"),
    ]

    operations = [migrations.RunPython(create, drop)]
