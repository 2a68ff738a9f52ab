"""Interview case studies: ten classic ML system design problems, as data, with a loader.

Each problem is one JSON file beside this module (`<slug>.json`): the prompt the
interviewer reads out, clarifying questions with the interviewer's answers, hints per
step, and a reference design in the board format. `rubric.json` holds what each level is
expected to show per step, the meaning of scores 1-4, and where an interviewer should look
when a validator rule fires. docs/case_studies.md describes the format.

Plain Python, no Django. Loaded studies are cached and shared: treat them as read-only
(use `CaseStudy.fresh_reference()` for a board you may edit, `to_dict()` for a copy).
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from components.catalogue import COMPONENT_TYPES, NOTE
from components.document import LEVELS, Board, DocumentError, parse
from components.steps import STEP_KEYS

DATA_DIR = Path(__file__).parent
RUBRIC_FILE = "rubric.json"
PROMPT_KEYS = ("goal", "scale", "latency", "details")
SCORES = (1, 2, 3, 4)  # a rubric score per step, 1 (weak) to 4 (strong)
MAX_ID = 64

_STUDY_KEYS = ("slug", "title", "summary", "prompt", "questions", "hints", "reference")
_QUESTION_KEYS = ("id", "question", "answer")
_HINT_KEYS = ("id", "text")
_RUBRIC_KEYS = ("levels", "steps", "scores", "signals")
_SCORE_KEYS = ("score", "label", "description")
_SIGNAL_KEYS = ("step", "look")


class CaseStudyError(ValueError):
    """A case study or rubric file is malformed; the message names the file and the place."""

    def __init__(self, file: str, problem: str, where: str = "") -> None:
        super().__init__(f"{file}: {where}: {problem}" if where else f"{file}: {problem}")
        self.file = file
        self.where = where
        self.problem = problem


@dataclass(frozen=True)
class CaseStudy:
    """One interview problem.

    prompt: {"goal", "scale", "latency", "details"} -> text.
    questions: ({"id", "question", "answer"}, ...) in the file's order.
    hints: step key -> ({"id", "text"}, ...), every step present, in step order; a step's
    hints go from general to specific.
    reference: the model answer as a Board (level "staff").
    """

    slug: str
    title: str
    summary: str
    prompt: dict[str, str]
    questions: tuple[dict[str, str], ...]
    hints: dict[str, tuple[dict[str, str], ...]]
    reference: Board

    def fresh_reference(self) -> Board:
        """A private copy of the reference board, safe to edit."""
        return parse(self.reference.to_dict())

    def to_dict(self, *, with_reference: bool = True) -> dict[str, Any]:
        """The study as plain JSON-ready data (a copy)."""
        data: dict[str, Any] = {
            "slug": self.slug,
            "title": self.title,
            "summary": self.summary,
            "prompt": dict(self.prompt),
            "questions": [dict(q) for q in self.questions],
            "hints": {step: [dict(h) for h in hints] for step, hints in self.hints.items()},
        }
        if with_reference:
            data["reference"] = self.reference.to_dict()
        return data


# --- loading ------------------------------------------------------------------------------


def load_all() -> dict[str, CaseStudy]:
    """Every case study shipped beside this module, by slug (sorted); parsed once."""
    return dict(_shipped())


def get(slug: str) -> CaseStudy | None:
    """The shipped case study `slug`, or None if there is none."""
    return _shipped().get(slug)


def rubric() -> dict[str, Any]:
    """The interviewer's rubric (a copy of rubric.json, checked): levels, steps, scores,
    signals."""
    return copy.deepcopy(_shipped_rubric())


@cache
def _shipped() -> dict[str, CaseStudy]:
    return load_directory(DATA_DIR)


@cache
def _shipped_rubric() -> dict[str, Any]:
    return load_rubric(DATA_DIR / RUBRIC_FILE)


def load_directory(directory: Path) -> dict[str, CaseStudy]:
    """Load every `*.json` in `directory` except the rubric, by slug (not cached)."""
    studies = [
        load_file(path)
        for path in sorted(Path(directory).glob("*.json"))
        if path.name != RUBRIC_FILE
    ]
    return {study.slug: study for study in studies}


def load_file(path: Path) -> CaseStudy:
    """Load and check one case study file; raise CaseStudyError naming what is wrong."""
    path = Path(path)
    study = from_dict(_read_json(path), path.name)
    if study.slug != path.stem:
        raise CaseStudyError(path.name, f'slug "{study.slug}" does not match the file name', "slug")
    return study


def from_dict(data: Any, name: str = "case study") -> CaseStudy:
    """Check decoded case-study data (a file's, or a stored copy); `name` is for messages."""
    _check_keys(data, _STUDY_KEYS, name, "")
    slug = _text(data["slug"], name, "slug")
    try:
        reference = parse(data["reference"])
    except DocumentError as exc:
        raise CaseStudyError(name, str(exc), "reference") from None
    return CaseStudy(
        slug=slug,
        title=_text(data["title"], name, "title"),
        summary=_line(data["summary"], name, "summary"),
        prompt=_prompt(data["prompt"], name),
        questions=_questions(data["questions"], name),
        hints=_hints(data["hints"], name),
        reference=reference,
    )


def load_rubric(path: Path) -> dict[str, Any]:
    """Load and check a rubric file; raise CaseStudyError naming what is wrong."""
    path = Path(path)
    name = path.name
    data: dict[str, Any] = _read_json(path)  # _check_keys refuses anything but an object
    _check_keys(data, _RUBRIC_KEYS, name, "")
    if data["levels"] != list(LEVELS):
        raise CaseStudyError(name, f"must be {json.dumps(list(LEVELS))}", "levels")
    steps = data["steps"]
    _check_keys(steps, STEP_KEYS, name, "steps")
    for step in STEP_KEYS:
        _check_keys(steps[step], LEVELS, name, f"steps.{step}")
        for level in LEVELS:
            _text_list(steps[step][level], name, f"steps.{step}.{level}")
    scores = data["scores"]
    if not isinstance(scores, list) or len(scores) != len(SCORES):
        raise CaseStudyError(name, f"must be a list of {len(SCORES)} scores", "scores")
    for index, (entry, expected) in enumerate(zip(scores, SCORES, strict=True)):
        where = f"scores[{index}]"
        _check_keys(entry, _SCORE_KEYS, name, where)
        if entry["score"] != expected or type(entry["score"]) is not int:
            raise CaseStudyError(name, f"score must be {expected}", f"{where}.score")
        _text(entry["label"], name, f"{where}.label")
        _line(entry["description"], name, f"{where}.description")
    signals = data["signals"]
    if not isinstance(signals, dict):
        raise CaseStudyError(name, "must be an object keyed by rule id", "signals")
    for rule_id, signal in signals.items():
        where = f"signals.{rule_id}"
        _check_keys(signal, _SIGNAL_KEYS, name, where)
        if signal["step"] is not None and signal["step"] not in STEP_KEYS:
            raise CaseStudyError(
                name, f"step must be one of {', '.join(STEP_KEYS)} or null", f"{where}.step"
            )
        _line(signal["look"], name, f"{where}.look")
    return data


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise CaseStudyError(path.name, f"not valid UTF-8 text (byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise CaseStudyError(
            path.name, f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
        ) from None


def _check_keys(data: Any, keys: tuple[str, ...], name: str, where: str) -> None:
    """`data` is an object with exactly `keys`."""
    if not isinstance(data, dict):
        raise CaseStudyError(name, "must be a JSON object", where)
    missing = [k for k in keys if k not in data]
    if missing:
        raise CaseStudyError(name, f'missing key "{missing[0]}"', where)
    unknown = sorted(set(data) - set(keys))
    if unknown:
        raise CaseStudyError(name, f'unknown key "{unknown[0]}"', where)


def _text(value: Any, name: str, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise CaseStudyError(name, "must be a non-empty string", where)
    return value


def _line(value: Any, name: str, where: str) -> str:
    text = _text(value, name, where)
    if "\n" in text:
        raise CaseStudyError(name, "must be a single line", where)
    return text


def _text_list(value: Any, name: str, where: str) -> list[str]:
    if not isinstance(value, list) or not value:
        raise CaseStudyError(name, "must be a non-empty list of strings", where)
    return [_text(item, name, f"{where}[{index}]") for index, item in enumerate(value)]


def _identifier(value: Any, name: str, where: str, seen: set[str]) -> str:
    text = _text(value, name, where)
    if len(text) > MAX_ID or text != text.strip():
        raise CaseStudyError(name, f"must be at most {MAX_ID} characters, no outer spaces", where)
    if text in seen:
        raise CaseStudyError(name, f'duplicate id "{text}"', where)
    seen.add(text)
    return text


def _prompt(value: Any, name: str) -> dict[str, str]:
    _check_keys(value, PROMPT_KEYS, name, "prompt")
    return {key: _text(value[key], name, f"prompt.{key}") for key in PROMPT_KEYS}


def _questions(value: Any, name: str) -> tuple[dict[str, str], ...]:
    if not isinstance(value, list) or not value:
        raise CaseStudyError(name, "must be a non-empty list", "questions")
    seen: set[str] = set()
    questions = []
    for index, item in enumerate(value):
        where = f"questions[{index}]"
        _check_keys(item, _QUESTION_KEYS, name, where)
        questions.append(
            {
                "id": _identifier(item["id"], name, f"{where}.id", seen),
                "question": _text(item["question"], name, f"{where}.question"),
                "answer": _text(item["answer"], name, f"{where}.answer"),
            }
        )
    return tuple(questions)


def _hints(value: Any, name: str) -> dict[str, tuple[dict[str, str], ...]]:
    _check_keys(value, STEP_KEYS, name, "hints")
    seen: set[str] = set()
    hints: dict[str, tuple[dict[str, str], ...]] = {}
    for step in STEP_KEYS:
        items = value[step]
        if not isinstance(items, list) or not items:
            raise CaseStudyError(name, "must be a non-empty list", f"hints.{step}")
        step_hints = []
        for index, item in enumerate(items):
            where = f"hints.{step}[{index}]"
            _check_keys(item, _HINT_KEYS, name, where)
            hint_id = _identifier(item["id"], name, f"{where}.id", seen)
            if not hint_id.startswith(f"{step}-"):
                raise CaseStudyError(name, f'id must start with "{step}-"', f"{where}.id")
            step_hints.append({"id": hint_id, "text": _text(item["text"], name, f"{where}.text")})
        hints[step] = tuple(step_hints)
    return hints


# --- ids ----------------------------------------------------------------------------------


def hint_ids(study: CaseStudy) -> list[str]:
    """Every hint id of `study`, in step order then file order."""
    return [hint["id"] for step in STEP_KEYS for hint in study.hints[step]]


def question_ids(study: CaseStudy) -> list[str]:
    """Every clarifying question id of `study`, in file order."""
    return [question["id"] for question in study.questions]


# --- comparing a candidate's board with the reference -------------------------------------


def compare(reference: Board, candidate: Board) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """What the reference design has that the candidate's board lacks, by step.

    Returns {step: {"missing_components": [{"type", "count"}],
                    "missing_connections": [{"source", "target"}]}} for all seven steps.
    A component type is missing when the reference has more components of it than the
    candidate (`count` is the shortfall); it is filed under the catalogue's step of the
    type. A connection is a (source type, target type) pair of a reference edge; it is
    missing when no candidate edge joins components of those two types, and is filed under
    the step of its target type. Notes are ignored; extra components or connections in the
    candidate cost nothing. Pure: neither board is modified.
    """
    result: dict[str, dict[str, list[dict[str, Any]]]] = {
        step: {"missing_components": [], "missing_connections": []} for step in STEP_KEYS
    }
    wanted = _type_counts(reference)
    present = _type_counts(candidate)
    for type_id in COMPONENT_TYPES:  # catalogue order
        shortfall = wanted[type_id] - present[type_id]
        if shortfall > 0:
            result[_step_of(type_id)]["missing_components"].append(
                {"type": type_id, "count": shortfall}
            )
    drawn = set(_type_pairs(candidate))
    for source, target in _type_pairs(reference):
        if (source, target) not in drawn:
            result[_step_of(target)]["missing_connections"].append(
                {"source": source, "target": target}
            )
    return result


def _step_of(type_id: str) -> str:
    step = COMPONENT_TYPES[type_id].step
    assert step is not None, type_id  # only notes have no step, and notes are skipped
    return step


def _type_counts(board: Board) -> Counter[str]:
    return Counter(node.type for node in board.nodes if node.type != NOTE)


def _type_pairs(board: Board) -> list[tuple[str, str]]:
    """The (source type, target type) pairs of a board's edges, first seen first, once each;
    edges touching a note or an absent or unknown component are left out."""
    types = {node.id: node.type for node in board.nodes}
    pairs: dict[tuple[str, str], None] = {}
    for edge in board.edges:
        source, target = types.get(edge.source), types.get(edge.target)
        if source in COMPONENT_TYPES and target in COMPONENT_TYPES and NOTE not in (source, target):
            pairs[(source, target)] = None
    return list(pairs)
