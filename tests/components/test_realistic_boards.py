"""The validator against a strong interviewer on realistic boards (tests/fixtures/realistic).

Each board comes with the verdict an interviewer would give at the board's level
(expected.json; README.md there says how verdicts were decided). A sound design must get
no error (a false error costs more than anything else); a weak one must get each rule the
interviewer would insist on, with the severity the spec gives that rule. The summary test
prints how often validator and interviewer agree.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

from components.cards import card_geometry
from components.catalogue import COMPONENT_TYPES
from components.document import Board, load_json, parse
from components.report import Report, validate
from components.rules import RULES
from tests.fixtures.realistic.generate import PROFILE, SEVERITY

CORPUS = Path(__file__).parent.parent / "fixtures" / "realistic"
EXPECTED: list[dict] = json.loads((CORPUS / "expected.json").read_text())
BY_BOARD = {entry["board"]: entry for entry in EXPECTED}

# framework.md §4 (revision 2): each rule's severity and the rules each level's profile
# runs, written out once in the corpus's generator (not read from components/) so the
# corpus checks the validator against the spec, not against itself: SEVERITY, PROFILE.
# The verdicts are revision 2's; a validator without its rules is not judged by them.
REVISION_2 = set(SEVERITY) <= set(RULES)


# Boards the validator is known to get wrong, and why: a sound board it fails (an expected
# failure of test_sound_board_gets_no_error) or a flawed board whose flaw it misses (of
# test_weak_board_gets_each_flaw). Strict: once the validator agrees, the entry must go.
# Keep it short: each is a bug to fix in the rules or, after review, in expected.json.
KNOWN_DISAGREEMENTS: dict[str, str] = {
    # Second batch B (held out): flaws missed.
    "wake_word_frontend_skew.json": "feature-consistency: the shared registry lets the verifier's "
    "pipeline 'fit' the on-device model (its input is a request-time feature of the device)",
    "sponsored_search_offline_relevance.json": "feature-consistency: a batch job on the log is "
    "still the prediction log, and framework.md exempts a log-and-wait pair from the "
    "listed-features checks, so a feature only training has is no error (kept: the spec's "
    "choice, which spares boards whose lists are merely incomplete a false error); the "
    "project's logged-features-served warns about it",
    # Third batch C (held out): flaw missed.
    "news_dedup_offline_pair_features.json": "feature-consistency: the classifier's own pipeline "
    "lists exactly the pair features it serves, and the raw article fields both read count "
    "as 'the same request-time features'; that training recomputes the pair features in its "
    "own Spark job is drawn only as a batch_etl, which no rule reads as a feature source",
    # Fourth batch D (held out): flaws missed.
    "dating_match_offline_only_features.json": "feature-consistency: the two-tower pipeline, "
    "which lists no features, shares the ranker's registry and so may be the model it serves "
    "(framework.md); reading the lists to pair them failed sound designs in review "
    "(docs/rules.md)",
    "voice_intent_vendor_corpus_only.json": "feature-consistency: the ASR features arrive with "
    "the request, so framework.md needs no store for them, though training reads only a "
    "crowd-written corpus; counting them only through a log failed sound designs in review",
    "tickets_llm_router_trained_on_resolution.json": "feature-consistency: the router's "
    "pipeline learns from the router's log, so framework.md's log and wait spares it the "
    "listed-features checks; the leaked resolution code is reported as the warning "
    "logged-features-served, not as an error",
    # Fifth batch E (held out): flaw missed.
    "ride_market_surge_backfill_hidden.json": "feature-consistency: the ETA pipeline lists no "
    "features and shares the surge model's registry, so it may be the model surge serves "
    "(framework.md), which hides the backfill only surge training reads",
    # Seventh batch G (held out): flaw missed.
    "appsearch_bm25_recomputed_offline.json": "feature-consistency: the LambdaMART pipeline "
    "recomputes the request-time bm25 offline, but a pipeline that lists a request-time "
    "feature cannot be told from a training-set builder passing logged values through "
    "(docs/rules.md), and the retrieval and calibration pipelines share its registry and "
    "fit the ranker anyway (framework.md: P serves the one that fits)",
    # Eighth batch H (held out): flaw missed.
    "usedmkt_ranker_trains_on_raw_listings.json": "feature-consistency: the search service "
    "logs impressions after the ranker's answer passes through it, which docs/rules.md "
    "counts as the ranker's prediction log (sparing an ad server that logs after the "
    "auction), so training from that log is log and wait, exempt from the listed-features "
    "checks; framework.md's log, written by a direct edge, would flag the raw-listings "
    "builder",
    # Ninth batch I (held out): flaw missed, the same way.
    "fraudring_snapshot_skew.json": "feature-consistency: the risk service logs each "
    "decision after the model's answer passes through it, which counts as the model's "
    "prediction log (docs/rules.md), so training from that log (through a Spark job that "
    "recomputes the ring scores) is log and wait; reading only a direct edge as the log "
    "would catch it but fails ads_ctr_logged_by_ad_server, a sound design",
    # Eleventh batch K (held out): flaw missed, the same way again.
    "grocsubs_backend_raw_training.json": "feature-consistency: the substitution service "
    "logs the offers after the ranker's answer passes through it (the ranker's prediction "
    "log, docs/rules.md), so training from that log, joined with the raw catalogue in a "
    "Spark job, is log and wait; the third miss of this shape (with usedmkt and fraudring)",
    # Twelfth to fourteenth batches L, M, N (held out, 2026-12-05).
    "tripplan-hosted-only.json": "training-loop: a hosted model behind a prompt with nothing "
    "that learns; earlier interviewers judged such boards sound (code_review_llm_strong, "
    "enterprise_search_hosted_apis), and our reading lets a board whose every model comes "
    "from outside it pass",
    "poidedup-staff-matcher.json": "feature-consistency (kept): the pair GBDT's pipeline "
    "trains on cand_visits_90d, which the served GBDT does not list, and the nightly scorer "
    "lists none of the query place's features; framework.md's clause for listed features "
    "('every feature of T is in P's list or request-time') fails it, and the message names "
    "the features to add",
    "returns-staff-risk-table-unread.json": "batch-predictions-served: a dashboard reads the "
    "nightly risk table beside other data while another model answers the client, which our "
    "reading takes for a challenger scored in shadow; a different model cannot be told from "
    "a challenger on the graph (requiring a shared pipeline failed send_time_shadow_challenger)",
    # Fifteenth batch O (held out, 2026-12-05): flaws missed.
    "o_grasp_outcomes_only.json": "feature-consistency: training lists no features and reads "
    "a table of outcomes while the model is served raw images with the request; neither "
    "side reads a store, which framework.md's raw-input exception passes (a labelled image "
    "set in an object store is drawn the same way)",
    "o_ride_live_unseen.json": "feature-consistency: the model is served live features "
    "training never reads, but both read one store and training's own list is served, "
    "which is all framework.md asks; a predictor listing more than training lists is "
    "not read as skew (it may filter or rank with them)",
    # Sixteenth batch P (held out, 2026-12-05): flaws missed.
    "p_recipe_mid_magic_encoder.json": "model-deployed: the untrained user encoder feeds "
    "the retrieval index, so framework.md's reading makes it a feature provider (a shared "
    "encoder), not a predictor that needs a model source",
    "p_books_senior_notebook.json": "feature-consistency: the features serving computes "
    "inside the search service and those a notebook computes for training come from no "
    "store or pipeline on either side, which framework.md's raw-input exception passes",
}

# Sound boards whose expected warning the validator misses (an expected failure of
# test_weak_board_gets_each_flaw; the board still passes, as it should).
KNOWN_MISSED_WARNINGS: dict[str, str] = {
    # Twelfth batch L (held out).
    "podsearch-staff-ungated.json": "replicas-load-balanced: the ranker is reached from the "
    "gateway through the search service, which the project's rule counts as behind a "
    "balancer; requiring the balancer next to the predictor would warn on six strong corpus "
    "boards and three whose interviewers said it must not",
}


def _param(entry: dict, *, sound_test: bool):
    """A board as a test parameter, expected to fail where the validator is known wrong."""
    applies = entry["sound"] == sound_test
    known = KNOWN_DISAGREEMENTS.get(entry["board"]) if applies else None
    if entry["sound"] and not sound_test:
        known = KNOWN_MISSED_WARNINGS.get(entry["board"])
    marks = [pytest.mark.xfail(strict=True, reason=known)] if known else []
    return pytest.param(entry, id=entry["board"].removesuffix(".json"), marks=marks)


SOUND = [_param(e, sound_test=True) for e in EXPECTED if e["must_not_error"]]
FLAWED = [_param(e, sound_test=False) for e in EXPECTED if e["must_flag"]]
ALL = [pytest.param(e, id=e["board"].removesuffix(".json")) for e in EXPECTED]


def load(entry: dict, *, judged: bool = True) -> Board:
    """Parse a corpus board; skip (naming them) if it needs types this catalogue lacks,
    or, when it is to be judged, if the validator does not implement revision 2."""
    if judged and not REVISION_2:
        absent = ", ".join(sorted(set(SEVERITY) - set(RULES)))
        pytest.skip(f"the validator implements revision 1 (no {absent})")
    data = load_json((CORPUS / entry["board"]).read_text())
    missing = sorted({n["type"] for n in data["nodes"]} - set(COMPONENT_TYPES))
    if missing:
        pytest.skip(f"needs revision-2 component types: {', '.join(missing)}")
    for node in data["nodes"]:
        specs = COMPONENT_TYPES[node["type"]].props_by_name
        for name, value in node.get("props", {}).items():
            spec = specs.get(name)
            if spec is not None and spec.kind == "choice" and value not in spec.choices:
                pytest.skip(f'needs revision-2 choice {name}="{value}" on {node["type"]}')
    return parse(data)


def findings_of(report: Report, rule_id: str) -> list:
    return [f for f in report.findings if f.rule == rule_id]


# --- the corpus itself ----------------------------------------------------------------------


def test_every_board_has_a_verdict_and_every_verdict_a_board():
    boards = {p.name for p in CORPUS.glob("*.json")} - {"expected.json"}
    assert boards == set(BY_BOARD)
    assert len(EXPECTED) == len(BY_BOARD) >= 45


@pytest.mark.parametrize("entry", ALL)
def test_verdict_is_coherent_with_the_spec(entry):
    data = json.loads((CORPUS / entry["board"]).read_text())
    assert entry["level"] == data["level"]
    assert entry["must_not_error"] == entry["sound"]
    profile = PROFILE[entry["level"]]
    for rule_id in entry["must_flag"] + entry.get("must_not_flag", []):
        assert rule_id in profile, f"{rule_id} does not run at {entry['level']}"
    blocking = [r for r in entry["must_flag"] if SEVERITY[r] == "error"]
    if entry["sound"]:
        assert not blocking
    else:  # an unsound board names its error, unless no rule of the spec can see the flaw
        assert blocking or entry.get("beyond_rules")
    assert entry["why"].strip()


@pytest.mark.parametrize("entry", ALL)
def test_board_parses_with_cards_apart(entry):
    board = load(entry, judged=False)
    assert board.level == entry["level"]
    boxes = []  # the cards as the editor draws them (components/cards.py)
    for node in board.nodes:
        card = card_geometry(node.label, COMPONENT_TYPES[node.type].title, node.type == "note")
        boxes.append((node.x, node.y, node.x + card.width, node.y + card.height))
    for i, (left, top, right, bottom) in enumerate(boxes):
        for other in boxes[i + 1 :]:
            apart = right <= other[0] or other[2] <= left or bottom <= other[1] or other[3] <= top
            assert apart, f"{entry['board']}: two cards overlap"


# --- the validator against the interviewer --------------------------------------------------


@pytest.mark.parametrize("entry", SOUND)
def test_sound_board_gets_no_error(entry):
    report = validate(load(entry), entry["level"])
    errors = [f"{f.rule}: {f.message}" for f in report.findings if f.severity == "error"]
    assert not errors, f"{entry['board']} is sound ({entry['why']})"


@pytest.mark.parametrize("entry", FLAWED)
def test_weak_board_gets_each_flaw(entry):
    report = validate(load(entry), entry["level"])
    for rule_id in entry["must_flag"]:
        found = findings_of(report, rule_id)
        assert found, f"{entry['board']}: no {rule_id} finding ({entry['why']})"
        assert {f.severity for f in found} == {SEVERITY[rule_id]}


@dataclass
class Agreement:
    board: str
    verdict_agrees: bool  # the validator passes exactly the boards the interviewer passes
    flaws_found: bool  # every must_flag rule reported
    false_flags: list[str]  # must_not_flag rules reported anyway


def agreement(entry: dict) -> Agreement:
    report = validate(load(entry), entry["level"])
    rules = {f.rule for f in report.findings}
    return Agreement(
        entry["board"],
        report.passed == entry["sound"],
        set(entry["must_flag"]) <= rules,
        sorted(set(entry.get("must_not_flag", [])) & rules),
    )


def test_agreement_summary(capsys):
    """Print how often the validator agrees with the interviewer; no sound board fails
    (beyond the known disagreements)."""
    results, skipped = [], []
    for entry in EXPECTED:
        try:
            results.append((entry, agreement(entry)))
        except pytest.skip.Exception:
            skipped.append(entry["board"])
    if not REVISION_2:
        pytest.skip("the validator implements revision 1; the verdicts are revision 2's")
    assert results, "no board could be checked"
    total = len(results)
    verdicts = sum(a.verdict_agrees for _, a in results)
    full = sum(a.verdict_agrees and a.flaws_found and not a.false_flags for _, a in results)
    false_errors = [
        a.board
        for e, a in results
        if e["sound"] and not a.verdict_agrees and a.board not in KNOWN_DISAGREEMENTS
    ]
    lines = [
        f"realistic corpus: {total} boards checked, {len(skipped)} skipped (catalogue lacks "
        "their types)",
        f"pass/fail agrees with the interviewer on {verdicts}/{total} ({verdicts / total:.0%})",
        f"full agreement (verdict, every flaw, no false flag): {full}/{total} ({full / total:.0%})",
    ]
    for entry, a in results:
        if not (a.verdict_agrees and a.flaws_found and not a.false_flags):
            known = a.board in KNOWN_DISAGREEMENTS or a.board in KNOWN_MISSED_WARNINGS
            what = ["known"] if known else []
            if not a.verdict_agrees:
                what.append("fails a sound design" if entry["sound"] else "passes a flawed one")
            if not a.flaws_found:
                what.append(f"misses {', '.join(entry['must_flag'])}")
            if a.false_flags:
                what.append(f"falsely flags {', '.join(a.false_flags)}")
            lines.append(f"  {a.board}: {'; '.join(what)}")
    with capsys.disabled():
        print("\n" + "\n".join(lines))
    assert not false_errors, f"sound designs failed: {false_errors}"
