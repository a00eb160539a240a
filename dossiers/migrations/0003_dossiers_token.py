"""Database triggers that renew the dossiers token (cchc.ChangeToken) whenever anything a
unit's dossier figures are made of is written (dossiers/changes.py). The list is frozen here
as it was when written; a change to it needs a migration of its own."""

from django.db import migrations

from cchc.change_tokens import Watch, token_triggers

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


class Migration(migrations.Migration):
    dependencies = [
        ("cchc", "0007_change_tokens"),
        ("dossiers", "0002_records_calendar_service_index"),
    ]

    operations = [token_triggers(TOPIC, WATCHES)]
