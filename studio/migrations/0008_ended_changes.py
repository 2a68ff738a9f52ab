from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("studio", "0007_interview_end"),
    ]

    operations = [
        migrations.AddField(
            model_name="board",
            name="ended_changes",
            field=models.PositiveIntegerField(default=0),
        ),
    ]
