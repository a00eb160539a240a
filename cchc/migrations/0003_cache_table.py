"""The database cache's table, so that `migrate` alone prepares a server (sessions and the
cache live in the database, shared by every app server)."""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):  # type: ignore[no-untyped-def]
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("cchc", "0002_jobs")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
