from django.apps import AppConfig
from django.core.signals import request_finished
from django.db import connections
from django.db.models.signals import post_migrate


def load_shipped_case_studies(sender, **kwargs) -> None:
    """Keep the shipped case studies in the database after every migrate."""
    from studio import case_library

    case_library.load()


def close_request_connections(sender, **kwargs) -> None:
    """Close the database connections of the thread that served an HTTP request.

    Under ASGI each request runs on a thread of its own (Django's ThreadSensitiveContext),
    and connections kept open for good (the SQLite setting that lets the live board's one
    database thread reuse its connection) would otherwise linger with those threads until
    garbage collection: one open file per request served.
    """
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:  # a test's transaction, or ATOMIC_REQUESTS
            connection.close()


class StudioConfig(AppConfig):
    name = "studio"
    verbose_name = "MLSD Studio"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from studio import logredact

        logredact.install()  # before the first request: no role token in any log
        post_migrate.connect(load_shipped_case_studies, sender=self)
        request_finished.connect(close_request_connections)
