from django.apps import AppConfig
from django.db.models.signals import post_migrate


def load_shipped_case_studies(sender, **kwargs) -> None:
    """Keep the shipped case studies in the database after every migrate."""
    from studio import case_library

    case_library.load()


class StudioConfig(AppConfig):
    name = "studio"
    verbose_name = "MLSD Studio"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        post_migrate.connect(load_shipped_case_studies, sender=self)
