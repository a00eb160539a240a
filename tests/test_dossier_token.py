"""The dossiers token: each process keeps a unit's criteria inputs from its dossier figures
under it, so it must be renewed by every write to what those figures are made of. The queries
behind the inputs are read to check that, with figures entered, records with the service index,
and a merger."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.models import F

from dossiers.changes import DOSSIER_WATCHES, DOSSIERS, dossiers_token
from dossiers.models import DossierStatistics
from dossiers.reports import dossier_inputs_for
from dossiers.service_index import ensure_default_table
from tests.dossier_factories import figures, merged_after_half_a_year
from tests.factories import make_unit
from tests.record_files import import_rows
from tests.test_service_index import RECORDS
from tests.watched_queries import missing_triggers, recorded, unwatched


def _inputs_read_afresh(unit, year: int) -> tuple[dict, list[str]]:
    connection.cursor().execute(  # a write elsewhere: nothing kept is read
        "UPDATE cchc_changetoken SET token = token || 'x' WHERE topic = %s", [DOSSIERS]
    )
    with recorded() as statements:
        values, _counts = dossier_inputs_for(unit, year)
    return values, statements


def test_every_table_behind_the_inputs_renews_the_token(world):
    merged = merged_after_half_a_year(world)
    figures(merged, "2025-Q3", resolved_on_time=20)
    import_rows(RECORDS)  # records of 2024, with the service index
    ensure_default_table()
    read = []
    for unit, year in ((merged, 2025), (world.commune_a, 2024), (world.province, 2024)):
        values, statements = _inputs_read_afresh(unit, year)
        read.append(values)
        assert unwatched(statements, DOSSIER_WATCHES) == [], (unit, year)
    assert read[0]["da_giai_quyet"] == Decimal(6 * 10 + 6 * 6 + 20)  # predecessors included
    assert "chi_so_phuc_vu" in read[1]  # the service index from the records


def test_every_table_of_the_dossiers_app_is_watched(db):
    tables = {model._meta.db_table for model in apps.get_app_config("dossiers").get_models()}
    assert tables <= {watch.table for watch in DOSSIER_WATCHES}
    assert (
        missing_triggers(DOSSIERS, DOSSIER_WATCHES, "dossiers.migrations.0003_dossiers_token") == []
    )


def test_the_inputs_are_kept_until_a_figure_changes_and_then_read_again(
    world, django_assert_num_queries
):
    statistics = figures(world.commune_a, "2022", resolved_on_time=80, resolved_late=20)
    first, _counts = dossier_inputs_for(world.commune_a, 2022)
    assert first["da_giai_quyet"] == Decimal(100)
    with django_assert_num_queries(1):  # the token, nothing else
        again, counts = dossier_inputs_for(world.commune_a, 2022)
    assert again == first and counts["resolved_late"] == 20
    again["da_giai_quyet"] = Decimal(0)  # the caller's copy: what is kept is not touched
    assert dossier_inputs_for(world.commune_a, 2022)[0]["da_giai_quyet"] == Decimal(100)
    # A bulk update passes no signal: the trigger sees it all the same.
    DossierStatistics.objects.filter(pk=statistics.pk).update(
        resolved_late=30, new_received=F("new_received") + 10
    )
    assert dossier_inputs_for(world.commune_a, 2022)[0]["da_giai_quyet"] == Decimal(110)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM dossiers_dossierstatistics")
    assert dossier_inputs_for(world.commune_a, 2022)[0]["da_giai_quyet"] == 0
    # The unit's place in the tree is part of whose figures count.
    figures(world.commune_b, "2022", resolved_on_time=5)
    assert dossier_inputs_for(world.district, 2022)[0]["da_giai_quyet"] == Decimal(5)
    world.commune_b.parent = world.other_district
    world.commune_b.save()
    assert dossier_inputs_for(world.district, 2022)[0]["da_giai_quyet"] == 0


@pytest.mark.django_db(transaction=True)
def test_figures_written_and_rolled_back_are_never_kept():
    """Inside the transaction that writes them, the new figures are read and not kept (on
    PostgreSQL the token is renewed only at the commit); after a rollback the old ones."""
    commune = make_unit("Xã thử", code="99001")
    figures(commune, "2022", resolved_on_time=10)
    assert dossier_inputs_for(commune, 2022)[0]["da_giai_quyet"] == Decimal(10)
    with pytest.raises(RuntimeError), transaction.atomic():
        DossierStatistics.objects.update(resolved_on_time=50, new_received=50)
        assert dossier_inputs_for(commune, 2022)[0]["da_giai_quyet"] == Decimal(50)
        raise RuntimeError
    assert dossier_inputs_for(commune, 2022)[0]["da_giai_quyet"] == Decimal(10)
    before = dossiers_token()
    DossierStatistics.objects.update(resolved_on_time=40, new_received=40)
    assert dossiers_token() != before
    assert dossier_inputs_for(commune, 2022)[0]["da_giai_quyet"] == Decimal(40)
