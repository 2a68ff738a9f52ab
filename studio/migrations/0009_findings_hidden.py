from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("studio", "0008_ended_changes"),
    ]

    operations = [
        migrations.AddField(
            model_name="board",
            name="findings_hidden",
            field=models.BooleanField(default=False),
        ),
    ]
