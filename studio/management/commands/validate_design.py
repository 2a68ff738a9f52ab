"""`manage.py validate_design FILE...`: `mlsd validate` (components/cli.py) inside Django.

`manage.py` runs `components.cli` directly, before Django loads; this class serves
`call_command` and `django-admin`. Exit 0 no error finding, 1 one, 2 a refused file.
"""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand

from components import cli


class Command(BaseCommand):
    help = "Validate MLSD Studio board files against the framework's rules."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser: ArgumentParser) -> None:
        cli.add_validate_arguments(parser)

    def handle(
        self, *args: Any, paths: list[str], format: str, level: str | None, **options: Any
    ) -> None:
        code = cli.validate_files(paths, level, format, self.stdout, self.stderr)
        if code:
            raise SystemExit(code)
