"""Boards keep a snapshot of their document as of `snapshot_revision` (studio.models)."""

from django.db import migrations, models
from django.db.models import F


def existing_documents_are_current(apps, schema_editor):
    """Before this migration every edit rewrote the whole document: it is current."""
    apps.get_model("studio", "Board").objects.update(snapshot_revision=F("revision"))


class Migration(migrations.Migration):
    dependencies = [
        ("studio", "0003_case_study"),
    ]

    operations = [
        migrations.AddField(
            model_name="board",
            name="snapshot_revision",
            field=models.PositiveIntegerField(default=0),
        ),
        migrations.RunPython(existing_documents_are_current, migrations.RunPython.noop),
    ]
