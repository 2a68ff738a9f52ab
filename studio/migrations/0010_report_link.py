from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("studio", "0009_findings_hidden"),
    ]

    operations = [
        migrations.AddField(
            model_name="board",
            name="report_token_hash",
            field=models.CharField(blank=True, max_length=64),
        ),
    ]
