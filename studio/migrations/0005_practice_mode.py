# Practice mode: a board one person works through alone (studio/practice.py).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("studio", "0004_snapshot_revision"),
    ]

    operations = [
        migrations.AddField(
            model_name="board",
            name="practice",
            field=models.BooleanField(default=False),
        ),
        migrations.AddField(
            model_name="board",
            name="practice_log",
            field=models.JSONField(default=list),
        ),
        migrations.AddField(
            model_name="board",
            name="practice_finished_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="board",
            name="self_assessment",
            field=models.JSONField(default=dict),
        ),
    ]
