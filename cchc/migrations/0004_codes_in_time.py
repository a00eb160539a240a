"""A unit code is an identity within a time span: codes may be reused once a unit's span has
ended (the 2025 reform did), never two units at once. The tree path holds keys instead of
codes, lineage links carry the division of a predecessor, and reorganisations their rule."""

import django.db.models.deletion
from django.db import migrations, models

PATH_DIGITS = 10

SQLITE_TRIGGERS = [
    """
    CREATE TRIGGER cchc_unit_code_once_insert BEFORE INSERT ON cchc_unit
    WHEN EXISTS (
        SELECT 1 FROM cchc_unit other WHERE other.code = NEW.code
        AND other.valid_from <= COALESCE(NEW.valid_to, '9999-12-31')
        AND COALESCE(other.valid_to, '9999-12-31') >= NEW.valid_from
    )
    BEGIN SELECT RAISE(ABORT, 'unit code in force twice at once'); END
    """,
    """
    CREATE TRIGGER cchc_unit_code_once_update BEFORE UPDATE OF code, valid_from, valid_to
    ON cchc_unit
    WHEN EXISTS (
        SELECT 1 FROM cchc_unit other WHERE other.code = NEW.code AND other.id <> NEW.id
        AND other.valid_from <= COALESCE(NEW.valid_to, '9999-12-31')
        AND COALESCE(other.valid_to, '9999-12-31') >= NEW.valid_from
    )
    BEGIN SELECT RAISE(ABORT, 'unit code in force twice at once'); END
    """,
]
POSTGRESQL_TRIGGERS = [
    """
    CREATE FUNCTION cchc_unit_code_once() RETURNS trigger AS $$
    BEGIN
        -- Transactions writing units' codes and spans take turns (one lock, however many
        -- rows), so that two cannot each add the same code unseen by the other.
        PERFORM pg_advisory_xact_lock(hashtext('cchc_unit_code'));
        IF EXISTS (
            SELECT 1 FROM cchc_unit other WHERE other.code = NEW.code AND other.id <> NEW.id
            AND other.valid_from <= COALESCE(NEW.valid_to, 'infinity'::date)
            AND COALESCE(other.valid_to, 'infinity'::date) >= NEW.valid_from
        ) THEN
            RAISE EXCEPTION 'unit code % in force twice at once', NEW.code
                USING ERRCODE = 'exclusion_violation';
        END IF;
        RETURN NEW;
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER cchc_unit_code_once BEFORE INSERT OR UPDATE OF code, valid_from, valid_to
    ON cchc_unit FOR EACH ROW EXECUTE FUNCTION cchc_unit_code_once()
    """,
]
DROP = {
    "sqlite": [
        "DROP TRIGGER IF EXISTS cchc_unit_code_once_insert",
        "DROP TRIGGER IF EXISTS cchc_unit_code_once_update",
    ],
    "postgresql": [
        "DROP TRIGGER IF EXISTS cchc_unit_code_once ON cchc_unit",
        "DROP FUNCTION IF EXISTS cchc_unit_code_once()",
    ],
}


def _run(schema_editor, statements):
    # Straight to the cursor: the function's "%" placeholders are PostgreSQL's, not Python's.
    with schema_editor.connection.cursor() as cursor:
        for statement in statements:
            cursor.execute(statement)


def create_triggers(apps, schema_editor):
    statements = {"sqlite": SQLITE_TRIGGERS, "postgresql": POSTGRESQL_TRIGGERS}
    _run(schema_editor, statements.get(schema_editor.connection.vendor, []))


def drop_triggers(apps, schema_editor):
    _run(schema_editor, DROP.get(schema_editor.connection.vendor, []))


def copy_lineage(apps, schema_editor):
    Unit = apps.get_model("cchc", "Unit")
    Lineage = apps.get_model("cchc", "Lineage")
    links = Unit.predecessors.through.objects.values_list("from_unit_id", "to_unit_id")
    Lineage.objects.bulk_create(
        [Lineage(successor_id=successor, predecessor_id=predecessor) for successor, predecessor in links]
    )


def search_names(apps, schema_editor):
    import unicodedata

    Unit = apps.get_model("cchc", "Unit")
    units = list(Unit.objects.all())
    for unit in units:
        text = unicodedata.normalize("NFD", unit.name.replace("Đ", "D").replace("đ", "d"))
        unit.search_name = "".join(c for c in text if not unicodedata.combining(c)).casefold().strip()
    Unit.objects.bulk_update(units, ["search_name"], batch_size=1000)


def paths_of_keys(apps, schema_editor):
    """Rebuild every path from the units' keys, parents first."""
    Unit = apps.get_model("cchc", "Unit")
    paths: dict[int, str] = {}
    changed = []
    for unit in Unit.objects.order_by("depth", "pk"):
        parent = paths.get(unit.parent_id, "/") if unit.parent_id else "/"
        unit.path = f"{parent}{unit.pk:0{PATH_DIGITS}d}/"
        paths[unit.pk] = unit.path
        changed.append(unit)
    Unit.objects.bulk_update(changed, ["path"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("cchc", "0003_cache_table"),
    ]

    operations = [
        migrations.CreateModel(
            name="Reorganisation",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("effective", models.DateField(unique=True, verbose_name="in force from")),
                ("name", models.CharField(max_length=200, verbose_name="name")),
                (
                    "division_rule",
                    models.CharField(
                        choices=[
                            ("main", "All to the successor that takes the main part"),
                            ("shares", "Shares entered for each successor"),
                        ],
                        default="main",
                        max_length=10,
                        verbose_name="a divided unit's figures go",
                    ),
                ),
            ],
            options={
                "verbose_name": "reorganisation",
                "verbose_name_plural": "reorganisations",
                "ordering": ["-effective"],
            },
        ),
        migrations.CreateModel(
            name="Lineage",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                (
                    "main",
                    models.BooleanField(
                        default=True,
                        help_text="The whole of the predecessor, or the main part of a divided one.",
                        verbose_name="takes the main part",
                    ),
                ),
                ("share", models.DecimalField(blank=True, decimal_places=2, max_digits=5, null=True, verbose_name="share (%)")),
                (
                    "predecessor",
                    models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="successor_links", to="cchc.unit"),
                ),
                (
                    "reorganisation",
                    models.ForeignKey(
                        blank=True,
                        null=True,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="links",
                        to="cchc.reorganisation",
                    ),
                ),
                (
                    "successor",
                    models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="predecessor_links", to="cchc.unit"),
                ),
            ],
            options={
                "verbose_name": "lineage",
                "verbose_name_plural": "lineage",
                "constraints": [
                    models.UniqueConstraint(fields=("successor", "predecessor"), name="lineage_link_once"),
                    models.CheckConstraint(
                        condition=models.Q(("successor", models.F("predecessor")), _negated=True),
                        name="lineage_not_own_predecessor",
                    ),
                    models.CheckConstraint(
                        condition=models.Q(("share__isnull", True), models.Q(("share__gte", 0), ("share__lte", 100)), _connector="OR"),
                        name="lineage_share_a_percentage",
                    ),
                ],
            },
        ),
        migrations.RunPython(copy_lineage, migrations.RunPython.noop),
        migrations.RemoveField(model_name="unit", name="predecessors"),
        migrations.AddField(
            model_name="unit",
            name="predecessors",
            field=models.ManyToManyField(
                blank=True,
                related_name="successors",
                through="cchc.Lineage",
                through_fields=("successor", "predecessor"),
                to="cchc.unit",
                verbose_name="predecessors",
            ),
        ),
        migrations.AlterField(
            model_name="unit",
            name="code",
            field=models.CharField(db_index=True, max_length=20, verbose_name="code"),
        ),
        migrations.AddConstraint(
            model_name="unit",
            constraint=models.UniqueConstraint(fields=("code", "valid_from"), name="unit_code_once_per_start"),
        ),
        migrations.RunPython(paths_of_keys, migrations.RunPython.noop),
        migrations.AddField(
            model_name="unit",
            name="search_name",
            field=models.CharField(db_index=True, default="", editable=False, max_length=200),
        ),
        migrations.RunPython(search_names, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]
