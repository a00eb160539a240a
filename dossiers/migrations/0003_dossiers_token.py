"""Database triggers that renew the dossiers token (cchc.ChangeToken) whenever anything a
unit's dossier figures are made of is written (dossiers/changes.py). The list is frozen here
as it was when written; a change to it needs a migration of its own."""

import secrets

from django.db import migrations

from cchc.change_tokens import Watch, create_triggers_sql, drop_triggers_sql

TOPIC = "dossiers"
WATCHES = (
    Watch("cchc_unit"),
    Watch("cchc_lineage"),
    Watch("cchc_reorganisation"),
    Watch("dossiers_calendarday"),
    Watch("dossiers_dossierrecord"),
    Watch("dossiers_dossierrecordchange"),
    Watch("dossiers_recordedunit"),
    Watch("dossiers_recordmapping"),
    Watch("dossiers_serviceindexversion"),
    Watch("dossiers_serviceindexindicator"),
    Watch("dossiers_portalfigure"),
    Watch("dossiers_dossierstatistics"),
    Watch("dossiers_dossierchange"),
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
        ("dossiers", "0002_records_calendar_service_index"),
    ]

    operations = [migrations.RunPython(create, drop)]
