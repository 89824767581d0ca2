from django.db import migrations

# PDFs are compressed already: PostgreSQL's TOAST compression would spend CPU on every issuance for
# nothing. EXTERNAL keeps them out of line, uncompressed. (SQLite has no such setting.)


def set_storage(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE certificates_issuance ALTER COLUMN pdf SET STORAGE EXTERNAL")


def reset_storage(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE certificates_issuance ALTER COLUMN pdf SET STORAGE EXTENDED")


class Migration(migrations.Migration):
    dependencies = [("certificates", "0001_initial")]

    operations = [migrations.RunPython(set_storage, reset_storage)]
