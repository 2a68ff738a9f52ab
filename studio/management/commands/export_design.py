"""`manage.py export_design FILE --format svg|png|dot|json -o OUT`: `mlsd export` in Django.

`manage.py` runs `components.cli` directly, before Django loads; this class serves
`call_command` and `django-admin`. Exit 0 on success, 1 when the export fails, 2 when the
document is refused or cannot be read. docs/export.md describes the formats and options.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from components import cli


class Command(BaseCommand):
    help = "Export an MLSD Studio board file as SVG, PNG, Graphviz DOT or JSON."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        cli.add_export_arguments(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            cli.export_file(
                options["path"],
                options["format"],
                options["output"],
                self.stdout,
                layout=options["layout"],
                legend=options["legend"],
                findings=options["findings"],
                level=options["level"],
                timeout=options["timeout"],
            )
        except cli.CliError as exc:
            raise CommandError(str(exc), returncode=exc.code) from None
