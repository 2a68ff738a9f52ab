"""`manage.py load_case_studies [PATH ...]`: store case studies (default: the shipped ten).

Exit 2, changing nothing, when a file is refused (the message names the file and place).
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from components.case_studies import CaseStudyError
from studio import case_library


class Command(BaseCommand):
    help = "Load interview case studies from JSON files or folders into the database."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("paths", nargs="*", help="case study files or folders")

    def handle(self, *args: Any, paths: list[str], **options: Any) -> None:
        try:
            slugs = case_library.load([Path(p) for p in paths] or None)
        except (CaseStudyError, OSError) as exc:
            raise CommandError(f"refused: {exc}", returncode=2) from None
        self.stdout.write(f"Loaded {len(slugs)} case studies: {', '.join(slugs)}")
