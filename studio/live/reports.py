"""Findings after an edit, sent only when they differ from the findings before it.

Most edits leave the findings as they were: every move (no rule reads positions), and
most renames and note edits. Sending a findings frame to every connection after each of
them costs the server and every browser a frame to encode, send, parse and re-render.
So the live board compares the new report with the previous one and broadcasts it only
when it changed; clients keep the findings they have (they ignore older revisions').

The previous report comes from a small per-process memory of the last report computed
for each board, valid only for the revision it was computed at; otherwise (another
process applied the previous edit, or the board was evicted) it is computed again from
the document before the edit, so the answer never depends on the memory.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Any

from components.document import Board as Document
from components.report import findings_unchanged, validate

MEMORY_SIZE = 256  # boards

Report = dict[str, Any]

_memory: OrderedDict[str, tuple[int, Report]] = OrderedDict()
_lock = threading.Lock()


def _recall(public_id: str, revision: int) -> Report | None:
    with _lock:
        found = _memory.get(public_id)
        if found is None or found[0] != revision:
            return None
        _memory.move_to_end(public_id)
        return found[1]


def _remember(public_id: str, revision: int, report: Report) -> None:
    with _lock:
        _memory[public_id] = (revision, report)
        _memory.move_to_end(public_id)
        while len(_memory) > MEMORY_SIZE:
            _memory.popitem(last=False)


def report_at(public_id: str, revision: int, document: Document) -> Report:
    """The report of `document`, the board at `revision` (remembered for the next edit)."""
    report = _recall(public_id, revision)
    if report is None:
        report = validate(document).to_dict()
        _remember(public_id, revision, report)
    return report


def changed_report(
    public_id: str,
    revision: int,
    before: Document,
    after: Document,
    unchanged: bool | None = None,
) -> Report | None:
    """The report after the edit that made `revision` out of `before`, or None when it is
    the same as the report before the edit. `unchanged`: `findings_unchanged(before,
    after)`, when the caller has it already."""
    if unchanged is None:
        unchanged = findings_unchanged(before, after)
    if unchanged:
        previous = _recall(public_id, revision - 1)
        if previous is not None:
            _remember(public_id, revision, previous)
        return None
    previous = report_at(public_id, revision - 1, before)
    report = validate(after).to_dict()
    _remember(public_id, revision, report)
    return None if report == previous else report


def forget_all() -> None:
    """Empty the memory (tests)."""
    with _lock:
        _memory.clear()
