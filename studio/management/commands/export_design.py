"""`manage.py export_design PATH --format svg|png|dot|json -o OUT`: export a design file.

PATH `-` reads standard input; OUT `-` (the default) writes standard output. Exit 0 on
success, 1 when the export fails (Graphviz missing, too slow or failing; the output file
cannot be written), 2 when the document is refused or cannot be read. Messages go to
standard error without a traceback. docs/export.md describes the formats and options.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from components.document import LEVELS
from components.export import DEFAULT_TIMEOUT, FORMATS, LAYOUTS, ExportError, render
from components.report import validate
from studio.management.commands._design_input import read_design

EXPORT_FAILED = 1


class Command(BaseCommand):
    help = "Export an MLSD Studio board file as SVG, PNG, Graphviz DOT or JSON."
    requires_system_checks: list[str] = []

    def add_arguments(self, parser) -> None:
        parser.add_argument("path", help="board JSON file, or - for standard input")
        parser.add_argument(
            "--format",
            choices=FORMATS,
            default=None,
            help="output format (default: from the -o suffix, else svg)",
        )
        parser.add_argument(
            "--layout",
            choices=LAYOUTS,
            default="drawn",
            help="drawn: the board's own positions; auto: Graphviz dot, "
            "left to right (default: drawn)",
        )
        parser.add_argument(
            "--legend", action="store_true", help="add a legend of the categories used"
        )
        parser.add_argument(
            "--findings",
            action="store_true",
            help="outline components in findings: red errors, amber warnings",
        )
        parser.add_argument(
            "--level",
            choices=LEVELS,
            default=None,
            help="rule profile for --findings (default: the board's own)",
        )
        parser.add_argument(
            "--timeout",
            type=float,
            default=DEFAULT_TIMEOUT,
            help=f"seconds Graphviz may take (default: {DEFAULT_TIMEOUT:g})",
        )
        parser.add_argument(
            "-o", "--output", default="-", help="output file, or - for standard output (default)"
        )

    def handle(
        self,
        *args,
        path: str,
        format: str | None,
        layout: str,
        legend: bool,
        findings: bool,
        level: str | None,
        timeout: float,
        output: str,
        **options,
    ) -> None:
        fmt = format or infer_format(output)
        if timeout <= 0:
            raise CommandError(
                "--timeout must be a positive number of seconds", returncode=EXPORT_FAILED
            )
        board = read_design(path)
        report = validate(board, level) if findings else None
        try:
            data = render(
                board, fmt, layout=layout, legend=legend, findings=report, timeout=timeout
            )
        except ExportError as exc:
            raise CommandError(f"export failed: {exc}", returncode=EXPORT_FAILED) from None
        if output == "-":
            self.write_stdout(data, fmt)
        else:
            try:
                Path(output).write_bytes(data)
            except OSError as exc:
                raise CommandError(
                    f"cannot write {output}: {exc.strerror}", returncode=EXPORT_FAILED
                ) from None

    def write_stdout(self, data: bytes, fmt: str) -> None:
        # OutputWrapper forwards attribute access to its stream: a real stdout has a binary
        # buffer; a StringIO handed to call_command has none and gets text.
        buffer = getattr(self.stdout, "buffer", None)
        if buffer is not None:
            self.stdout.flush()
            buffer.write(data)
            buffer.flush()
        elif fmt == "png":
            raise CommandError(
                "PNG is binary: write it to a file with -o", returncode=EXPORT_FAILED
            )
        else:
            self.stdout.write(data.decode("utf-8"), ending="")


def infer_format(output: str) -> str:
    """The format named by the output file's suffix, else svg."""
    suffix = Path(output).suffix.lower().lstrip(".") if output != "-" else ""
    return suffix if suffix in FORMATS else "svg"
