from django.db import migrations, models

# PostgreSQL compares text by the database's locale unless told otherwise; the search orders and
# ranges by code point (COLLATE "C"), so it needs an index on that expression. SQLite compares by code
# point already and uses the plain index below.
PG_INDEX = 'CREATE INDEX IF NOT EXISTS resident_kana_c_order ON residents_resident ((search_kana COLLATE "C"), birth_date, atena_no)'
PG_DROP = "DROP INDEX IF EXISTS resident_kana_c_order"


def create_pg_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_INDEX)


def drop_pg_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("residents", "0001_initial"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="resident",
            index=models.Index(fields=["search_kana", "birth_date", "atena_no"], name="resident_kana_order"),
        ),
        migrations.RunPython(create_pg_index, drop_pg_index),
    ]
