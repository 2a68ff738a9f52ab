"""`mlsd`: lint and export design files from a shell, CI or pre-commit, without Django.

    mlsd validate FILE... [--level mid|senior|staff] [--format text|json|github]
    mlsd export FILE [--format svg|png|dot|json] [--layout drawn|auto] [-o OUT]

Exit codes (the same for `manage.py validate_design` and `export_design`, which call this
module): 0 clean; 1 at least one error finding (validate) or the export failed (export);
2 a file was refused or could not be read, or the command line was wrong; 70 an
internal error (a crash must never look like a finding). With several files, the worst
code wins: 2 over 1 over 0.

Only the domain is imported (the validator needs NetworkX; exports need the Graphviz
executable), and the validator only once the arguments are parsed, so `--help` and a
usage error answer at once.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any, Protocol

from components.document import LEVELS, Board, DocumentError, parse
from components.export import DEFAULT_TIMEOUT, FORMATS, LAYOUTS, ExportError, render

if TYPE_CHECKING:
    from components.report import Report

OK = 0
FINDINGS = 1  # validate: an error finding; export: the export failed
REFUSED = 2  # the document was refused or unreadable; a usage error
CRASHED = 70  # EX_SOFTWARE: a bug, never mistaken for a finding
SIGPIPE_EXIT = 141  # 128 + SIGPIPE, as a shell reports a command killed by a closed pipe

OUTPUT_FORMATS = ("text", "json", "github")
ICONS = {"error": "✗", "warning": "!", "info": "i"}
GITHUB_LEVELS = {"error": "error", "warning": "warning", "info": "notice"}


class TextOut(Protocol):
    """Where results go: sys.stdout, a StringIO, or Django's OutputWrapper."""

    def write(self, text: str, /) -> Any: ...

    def flush(self) -> Any: ...


class CliError(Exception):
    """A message for the user (no traceback) and the exit code that goes with it."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


# -- reading ----------------------------------------------------------------------------


def read_bytes(path: str, stdin: IO[bytes] | None = None) -> bytes:
    """The file's bytes (`-` is standard input), or CliError(REFUSED) naming the problem."""
    try:
        if path == "-":
            return (stdin or sys.stdin.buffer).read()
        return Path(path).read_bytes()
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}", REFUSED) from None


def parse_design(path: str, data: bytes) -> Board:
    """The board in `data`, or CliError(REFUSED) with the document error's message."""
    try:
        return parse(data)
    except DocumentError as exc:
        raise CliError(f"{path}: refused: {exc}", REFUSED) from None


def read_design(path: str, stdin: IO[bytes] | None = None) -> Board:
    """Read and parse the design at `path` (`-` reads standard input)."""
    return parse_design(path, read_bytes(path, stdin))


# -- validate ---------------------------------------------------------------------------


def render_text(title: str, report: Report) -> str:
    """Findings grouped by step, then the coverage line: for people."""
    counts = report.counts()
    verdict = "PASSED" if report.passed else "FAILED"
    lines = [
        f"{title} — level {report.level}: {verdict} "
        f"({counts['error']} errors, {counts['warning']} warnings, {counts['info']} info)"
    ]
    for _key, heading, findings in report.by_step():
        lines.append("")
        lines.append(heading)
        lines.extend(f"  {ICONS[f.severity]} [{f.rule}] {f.message}" for f in findings)
    lines.append("")
    marks = (
        f"{s.number}{'✓' if s.covered else ('~' if s.status == 'partial' else '·')}"
        for s in report.steps
    )
    lines.append("Coverage: " + "  ".join(marks))
    return "\n".join(lines)


def _escape_data(text: str) -> str:
    """A workflow command's message: `%`, CR and LF would end or corrupt it."""
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    """A workflow command's property value: also `:` and `,`, which separate properties."""
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(level: str, message: str, file: str, line: int | None, title: str) -> str:
    """One GitHub Actions annotation (`::error file=…,line=…,title=…::message`).

    >>> annotation("error", "50% done\\n", "a,b.json", 3, "x: y")
    '::error file=a%2Cb.json,line=3,title=x%3A y::50%25 done%0A'
    """
    props = [f"file={_escape_property(file)}"]
    if line is not None:
        props.append(f"line={line}")
    props.append(f"title={_escape_property(title)}")
    return f"::{level} {','.join(props)}::{_escape_data(message)}"


def line_of(data: bytes, component_id: str) -> int | None:
    """The 1-based line where the component `"id": …` is written in the file, if found."""
    needle = json.dumps(component_id).encode("utf-8")
    match = re.search(rb'"id"\s*:\s*' + re.escape(needle), data)
    if match is None:
        return None
    return data.count(b"\n", 0, match.start()) + 1


def render_github(path: str, data: bytes, report: Report) -> list[str]:
    """Annotations for GitHub Actions: errors, warnings and notices, at the component."""
    lines = []
    for finding in report.findings:
        ids = finding.nodes or finding.edges
        line = line_of(data, ids[0]) if ids else None
        title = f"MLSD {finding.rule}: {finding.title}"
        lines.append(
            annotation(GITHUB_LEVELS[finding.severity], finding.message, path, line, title)
        )
    return lines


def validate_files(
    paths: Sequence[str],
    level: str | None,
    fmt: str,
    stdout: TextOut,
    stderr: TextOut,
    stdin: IO[bytes] | None = None,
) -> int:
    """Validate every file, write the results to `stdout`, and return the exit code.

    A refused file does not stop the others: its message goes to `stderr` (and, for
    `github`, an error annotation on the file; for `json`, an entry with "refused").
    """
    from components.report import validate  # NetworkX loads here, after argument parsing

    code = OK
    results: list[dict[str, object]] = []
    texts: list[str] = []
    for path in paths:
        try:
            data = read_bytes(path, stdin)
            board = parse_design(path, data)
        except CliError as exc:
            code = max(code, exc.code)
            stderr.write(f"mlsd: {exc}\n")
            if fmt == "github":
                texts.append(annotation("error", str(exc), path, None, "MLSD: refused"))
            results.append({"file": path, "refused": str(exc)})
            continue
        report = validate(board, level)
        if not report.passed:
            code = max(code, FINDINGS)
        if fmt == "json":
            results.append({"file": path, **report.to_dict()})
        elif fmt == "github":
            texts.extend(render_github(path, data, report))
        else:
            title = board.title or path
            texts.append(render_text(title if len(paths) == 1 else f"{path}: {title}", report))
    if fmt == "json":
        chosen: object = results[0] if len(paths) == 1 else results
        if len(paths) > 1 or "refused" not in results[0]:
            stdout.write(json.dumps(chosen, indent=2, ensure_ascii=False) + "\n")
    elif texts:
        stdout.write(("\n\n" if fmt == "text" else "\n").join(texts) + "\n")
    return code


# -- export -----------------------------------------------------------------------------


def infer_format(output: str) -> str:
    """The format named by the output file's suffix, else svg.

    >>> infer_format("design.png"), infer_format("-"), infer_format("notes.txt")
    ('png', 'svg', 'svg')
    """
    suffix = Path(output).suffix.lower().lstrip(".") if output != "-" else ""
    return suffix if suffix in FORMATS else "svg"


def export_file(
    path: str,
    fmt: str | None,
    output: str,
    stdout: TextOut,
    *,
    layout: str = "drawn",
    legend: bool = False,
    findings: bool = False,
    level: str | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    stdin: IO[bytes] | None = None,
) -> None:
    """Export the design at `path` to `output` (`-`: `stdout`); CliError on failure."""
    from components.report import validate

    fmt = fmt or infer_format(output)
    if timeout <= 0:
        raise CliError("--timeout must be a positive number of seconds", FINDINGS)
    board = read_design(path, stdin)
    report = validate(board, level) if findings else None
    try:
        data = render(board, fmt, layout=layout, legend=legend, findings=report, timeout=timeout)
    except ExportError as exc:
        raise CliError(f"export failed: {exc}", FINDINGS) from None
    if output != "-":
        try:
            Path(output).write_bytes(data)
        except OSError as exc:
            raise CliError(f"cannot write {output}: {exc.strerror or exc}", FINDINGS) from None
        return
    # A real stdout has a binary buffer; a text-only stream (StringIO) gets text.
    buffer = getattr(stdout, "buffer", None)
    if buffer is not None:
        stdout.flush()
        buffer.write(data)
        buffer.flush()
    elif fmt == "png":
        raise CliError("PNG is binary: write it to a file with -o", FINDINGS)
    else:
        stdout.write(data.decode("utf-8"))


# -- arguments --------------------------------------------------------------------------


def add_validate_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `mlsd validate` (also `manage.py validate_design`)."""
    parser.add_argument("paths", nargs="+", metavar="FILE", help="board JSON file(s); - is stdin")
    parser.add_argument(
        "--format",
        choices=OUTPUT_FORMATS,
        default="text",
        help="text for people, json for tools, github for GitHub Actions annotations",
    )
    parser.add_argument(
        "--level", choices=LEVELS, default=None, help="rule profile (default: each board's own)"
    )


def add_export_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `mlsd export` (also `manage.py export_design`)."""
    parser.add_argument("path", metavar="FILE", help="board JSON file, or - for standard input")
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
        help="drawn: the board's own positions; auto: Graphviz dot, left to right",
    )
    parser.add_argument("--legend", action="store_true", help="add a legend of the categories")
    parser.add_argument(
        "--findings",
        action="store_true",
        help="outline components in findings: red errors, amber warnings",
    )
    parser.add_argument("--level", choices=LEVELS, default=None, help="rule profile for --findings")
    parser.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        help=f"seconds Graphviz may take (default: {DEFAULT_TIMEOUT:g})",
    )
    parser.add_argument("-o", "--output", default="-", help="output file, or - for stdout")


def build_parser(prog: str = "mlsd") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Lint and export MLSD Studio design files (exit 0 clean, 1 an error "
        "finding or a failed export, 2 a refused file, 70 an internal error).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    add_validate_arguments(
        commands.add_parser("validate", help="check designs against the framework's rules")
    )
    add_export_arguments(
        commands.add_parser("export", help="export a design as SVG, PNG, DOT or JSON")
    )
    return parser


def run(args: argparse.Namespace, stdout: TextOut, stderr: TextOut) -> int:
    """Run a parsed command line; CliError propagates to the caller."""
    if args.command == "validate":
        return validate_files(args.paths, args.level, args.format, stdout, stderr)
    export_file(
        args.path,
        args.format,
        args.output,
        stdout,
        layout=args.layout,
        legend=args.legend,
        findings=args.findings,
        level=args.level,
        timeout=args.timeout,
    )
    return OK


def main(argv: Sequence[str] | None = None, prog: str = "mlsd") -> int:
    """The console script: parse, run, and turn every outcome into an exit code."""
    try:
        args = build_parser(prog).parse_args(argv)
    except SystemExit as exc:  # --help (0) or a usage error (argparse's 2: refused)
        return exc.code if isinstance(exc.code, int) else REFUSED
    try:
        return run(args, sys.stdout, sys.stderr)
    except CliError as exc:
        sys.stderr.write(f"{prog}: {exc}\n")
        return exc.code
    except BrokenPipeError:  # `mlsd validate … | head`: the reader left before the end
        # Point stdout at /dev/null so the interpreter's final flush does not fail again.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return SIGPIPE_EXIT
    except KeyboardInterrupt:
        return 130
    except Exception:  # noqa: BLE001 - any bug exits 70 with its traceback, never 1
        sys.stderr.write(f"{prog}: internal error (a bug, not a finding):\n")
        traceback.print_exc(file=sys.stderr)
        return CRASHED


if __name__ == "__main__":
    sys.exit(main())
