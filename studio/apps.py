from django.apps import AppConfig
from django.contrib.staticfiles.apps import StaticFilesConfig as BaseStaticFilesConfig
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


class StaticFilesConfig(BaseStaticFilesConfig):
    """Static files, without what no page loads: the vendor copies we do not use (the
    unminified canvas library and its variants, type declarations, htmx 4 and the htmx
    extensions). Fewer files to hash and compress at `collectstatic` (brotli on a 1.3 MB
    script costs seconds) and nothing served that the site does not need."""

    ignore_patterns = [
        *BaseStaticFilesConfig.ignore_patterns,
        "joint.js",
        "joint.nowrap*.js",
        "geometry*.js",
        "*.d.ts",
        "htmx-4*",
        "htmax-*",
        "ext",  # django_htmx/ext: htmx extensions (we use none)
    ]
