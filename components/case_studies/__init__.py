"""Interview case studies: ten classic ML system design problems, as data, with a loader.

Each problem is one JSON file beside this module (`<slug>.json`): the prompt the
interviewer reads out, clarifying questions with the interviewer's answers, hints per
step, a reference design in the board format, the findings the reference knowingly keeps
(each with the reason), and the interviewer's material per level (must-hit signals, red
flags, follow-up questions, each tied to a step). `rubric.json` holds what each level is
expected to show per step, the meaning of scores 1-4, and where an interviewer should look
when a validator rule fires. docs/case_studies.md describes the format.

Plain Python, no Django. Loaded studies are cached and shared: treat them as read-only
(use `CaseStudy.fresh_reference()` for a board you may edit, `to_dict()` for a copy).
"""

from __future__ import annotations

import copy
import json
from collections import Counter
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from components.catalogue import COMPONENT_TYPES, NOTE
from components.document import LEVELS, Board, DocumentError, parse
from components.steps import STEP_KEYS, STEPS, Step

DATA_DIR = Path(__file__).parent
RUBRIC_FILE = "rubric.json"
PROMPT_KEYS = ("goal", "scale", "latency", "details")
SCORES = (1, 2, 3, 4)  # a rubric score per step, 1 (weak) to 4 (strong)
MAX_ID = 64


def read_score(value: Any) -> int | None:
    """A score as a form or a frame sends it ("3", 3), or None for an empty one (clears
    the score); ValueError naming the allowed scores for anything else."""
    if value in (None, ""):
        return None
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    score = value if type(value) is int else 0  # not 2.5 read as 2, nor True as 1
    if score not in SCORES:
        raise ValueError("a score is 1, 2, 3 or 4")
    return score


_STUDY_KEYS = ("slug", "title", "summary", "prompt", "questions", "hints", "reference")
# Optional keys: a team's own studies may leave them out (they default to empty).
_OPTIONAL_KEYS = ("acknowledged", "interviewer")
_ACK_KEYS = ("rule", "why")
MATERIAL_KINDS = ("must_hit", "red_flags", "follow_ups")
_MATERIAL_ITEM_KEYS = ("step", "text")
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
class RevealableItem:
    """A question (with its answer) or a hint (with its step) of a case study."""

    kind: str  # "question" or "hint"
    text: str
    step: Step | None = None
    answer: str | None = None


@dataclass(frozen=True)
class CaseStudy:
    """One interview problem.

    prompt: {"goal", "scale", "latency", "details"} -> text.
    questions: ({"id", "question", "answer"}, ...) in the file's order.
    hints: step key -> ({"id", "text"}, ...), every step present, in step order; a step's
    hints go from general to specific.
    reference: the model answer as a Board (level "staff").
    acknowledged: ({"rule", "why"}, ...): validator findings the reference keeps on purpose
    (a simplification the rule cannot see through), shown to the interviewer with the why.
    interviewer: level -> kind ("must_hit", "red_flags", "follow_ups") -> ({"step", "text"},
    ...). Interviewer-only until a practice session ends; empty for studies without it.
    """

    slug: str
    title: str
    summary: str
    prompt: dict[str, str]
    questions: tuple[dict[str, str], ...]
    hints: dict[str, tuple[dict[str, str], ...]]
    reference: Board
    acknowledged: tuple[dict[str, str], ...] = ()
    interviewer: dict[str, dict[str, tuple[dict[str, str], ...]]] = field(default_factory=dict)

    def material(self, level: str, step: str | None = None) -> dict[str, list[str]]:
        """The interviewer's material for `level` (optionally one step): kind -> texts."""
        by_kind = self.interviewer.get(level, {})
        return {
            kind: [i["text"] for i in by_kind.get(kind, ()) if step is None or i["step"] == step]
            for kind in MATERIAL_KINDS
        }

    @cached_property
    def items(self) -> dict[str, RevealableItem]:
        """Every question and hint by id: what can be revealed, and how a reveal that
        was logged is read back (an id missing here was in an earlier version)."""
        found: dict[str, RevealableItem] = {
            q["id"]: RevealableItem("question", q["question"], None, q["answer"])
            for q in self.questions
        }
        for step in STEPS:
            found.update(
                (h["id"], RevealableItem("hint", h["text"], step))
                for h in self.hints.get(step.key, ())
            )
        return found

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
            data["acknowledged"] = [dict(a) for a in self.acknowledged]
            data["interviewer"] = {
                level: {kind: [dict(i) for i in items] for kind, items in kinds.items()}
                for level, kinds in self.interviewer.items()
            }
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
    _check_keys(data, _STUDY_KEYS, name, "", optional=_OPTIONAL_KEYS)
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
        acknowledged=_acknowledged(data.get("acknowledged", []), name),
        interviewer=_material(data.get("interviewer", {}), name),
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


def _check_keys(
    data: Any, keys: tuple[str, ...], name: str, where: str, optional: tuple[str, ...] = ()
) -> None:
    """`data` is an object with exactly `keys`, and perhaps some of `optional`."""
    if not isinstance(data, dict):
        raise CaseStudyError(name, "must be a JSON object", where)
    missing = [k for k in keys if k not in data]
    if missing:
        raise CaseStudyError(name, f'missing key "{missing[0]}"', where)
    unknown = sorted(set(data) - set(keys) - set(optional))
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


def _acknowledged(value: Any, name: str) -> tuple[dict[str, str], ...]:
    from components.rules import RULES  # here: the rules module is heavier than the loader

    if not isinstance(value, list):
        raise CaseStudyError(name, "must be a list", "acknowledged")
    known = set(RULES)
    items = []
    for index, item in enumerate(value):
        where = f"acknowledged[{index}]"
        _check_keys(item, _ACK_KEYS, name, where)
        rule = _text(item["rule"], name, f"{where}.rule")
        if rule not in known:
            raise CaseStudyError(name, f'unknown rule "{rule}"', f"{where}.rule")
        items.append({"rule": rule, "why": _line(item["why"], name, f"{where}.why")})
    return tuple(items)


def _material(value: Any, name: str) -> dict[str, dict[str, tuple[dict[str, str], ...]]]:
    """Interviewer material: absent, or every level with every kind, each a non-empty list
    of {"step", "text"}."""
    if value == {}:
        return {}
    _check_keys(value, LEVELS, name, "interviewer")
    material: dict[str, dict[str, tuple[dict[str, str], ...]]] = {}
    for level in LEVELS:
        _check_keys(value[level], MATERIAL_KINDS, name, f"interviewer.{level}")
        material[level] = {}
        for kind in MATERIAL_KINDS:
            where = f"interviewer.{level}.{kind}"
            items = value[level][kind]
            if not isinstance(items, list) or not items:
                raise CaseStudyError(name, "must be a non-empty list", where)
            checked = []
            for index, item in enumerate(items):
                _check_keys(item, _MATERIAL_ITEM_KEYS, name, f"{where}[{index}]")
                if item["step"] not in STEP_KEYS:
                    raise CaseStudyError(
                        name,
                        f"step must be one of {', '.join(STEP_KEYS)}",
                        f"{where}[{index}].step",
                    )
                text = _line(item["text"], name, f"{where}[{index}].text")
                checked.append({"step": item["step"], "text": text})
            material[level][kind] = tuple(checked)
    return material


# --- comparing a candidate's board with the reference -------------------------------------

# Roles the comparison matches by: any member stands for any other, so a board with an
# inference service is not "missing" the reference's ranking service. Every other type
# stands for itself. An embedding model that serves requests (framework rev. 2) is a
# predictor; otherwise it is a feature provider (a shared encoder).
ROLE_TITLES = {"predictor": "Predictor", "feature_provider": "Feature provider"}
_PREDICTOR_TYPES = ("inference_service", "ranking_service", "batch_scorer")
_FEATURE_PROVIDER_TYPES = ("feature_store", "feature_pipeline", "embedding_model")
_REQUEST_SIDE = ("client_app",)


def roles(board: Board) -> dict[str, str]:
    """Node id -> the role it is compared by: "predictor", "feature_provider" or its type.

    Notes and unknown types are left out.
    """
    types = {node.id: node.type for node in board.nodes}
    serving_inputs: set[str] = set()
    for edge in board.edges:
        source = types.get(edge.source)
        if source in COMPONENT_TYPES and (
            source in _REQUEST_SIDE or COMPONENT_TYPES[source].category == "serving"
        ):
            serving_inputs.add(edge.target)
    found = {}
    for node_id, type_id in types.items():
        if type_id not in COMPONENT_TYPES or type_id == NOTE:
            continue
        if type_id in _PREDICTOR_TYPES or (
            type_id == "embedding_model" and node_id in serving_inputs
        ):
            found[node_id] = "predictor"
        elif type_id in _FEATURE_PROVIDER_TYPES:
            found[node_id] = "feature_provider"
        else:
            found[node_id] = type_id
    return found


def role_title(role: str) -> str:
    """A role's name for people: "Predictor", or the catalogue title of a plain type."""
    return ROLE_TITLES.get(role) or COMPONENT_TYPES[role].title


def compare(reference: Board, candidate: Board) -> dict[str, dict[str, list[dict[str, Any]]]]:
    """What the reference design has that the candidate's board lacks, by step and by role.

    Returns {step: {"missing_components": [{"role", "count", "have", "suggest"}],
                    "missing_connections": [{"source", "target", "suggest"}]}} for all
    seven steps. Components are matched by role (`roles()`): a role is missing when the
    reference has more components in it than the candidate (`count` is the shortfall,
    `have` what the board has); `suggest` names the reference's own types for it (for a
    plain type, just that type). It is filed under the step of the reference's first
    component of that role. A connection is a (source role, target role) pair of a
    reference edge; it is missing when no candidate edge joins components of those two
    roles, and is filed under the step of its target's type, with the reference's
    (source type, target type) as `suggest`. Notes are ignored; extra components or
    connections in the candidate cost nothing. Pure: neither board is modified.
    """
    result: dict[str, dict[str, list[dict[str, Any]]]] = {
        step: {"missing_components": [], "missing_connections": []} for step in STEP_KEYS
    }
    ref_roles, cand_roles = roles(reference), roles(candidate)
    ref_types = {node.id: node.type for node in reference.nodes}
    wanted: dict[str, list[str]] = {}  # role -> the reference's types in it, catalogue order
    counts: Counter[str] = Counter(ref_roles.values())
    present: Counter[str] = Counter(cand_roles.values())
    for type_id in COMPONENT_TYPES:
        for node_id, role in ref_roles.items():
            if ref_types[node_id] == type_id and type_id not in wanted.setdefault(role, []):
                wanted[role].append(type_id)
    for role, types in wanted.items():
        shortfall = counts[role] - present[role]
        if shortfall > 0:
            result[_step_of(types[0])]["missing_components"].append(
                {"role": role, "count": shortfall, "have": present[role], "suggest": types}
            )
    drawn = {pair for pair, _ in _role_pairs(candidate, cand_roles)}
    for (source, target), (source_type, target_type) in _role_pairs(reference, ref_roles):
        if (source, target) not in drawn:
            result[_step_of(target_type)]["missing_connections"].append(
                {"source": source, "target": target, "suggest": [source_type, target_type]}
            )
    return result


def _step_of(type_id: str) -> str:
    step = COMPONENT_TYPES[type_id].step
    assert step is not None, type_id  # only notes have no step, and notes are skipped
    return step


def _role_pairs(
    board: Board, node_roles: dict[str, str]
) -> list[tuple[tuple[str, str], tuple[str, str]]]:
    """The (source role, target role) pairs of a board's edges, first seen first, once
    each, with the types of the first edge seen; edges touching a note or an absent or
    unknown component are left out."""
    types = {node.id: node.type for node in board.nodes}
    pairs: dict[tuple[str, str], tuple[str, str]] = {}
    for edge in board.edges:
        source, target = node_roles.get(edge.source), node_roles.get(edge.target)
        if source and target and (source, target) not in pairs:
            pairs[(source, target)] = (types[edge.source], types[edge.target])
    return list(pairs.items())
