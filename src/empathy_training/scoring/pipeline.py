"""The scorer's pipeline: a response, its client statement or vignette, a rubric -> Assessment."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..errors import EmptyResponseError, InputError, NotEnglishError, ResponseTooLongError
from ..models import (
    RUBRIC_NAMES,
    VALIDATION_MEANINGS,
    Assessment,
    RoadblockFinding,
    Vignette,
    level_meaning,
)
from . import classifiers as learned
from .client import client_of, risk_example
from .criteria import Context
from .decisions import (
    behaviour_spans,
    learned_confidence,
    learned_spans,
    level_evidence,
    patterns_stand,
    reconcile,
)
from .epitome import epitome_codes
from .feedback import Fill, clip_words, criteria_results, summary_feedback
from .findings import make_span, make_spans, question_spans
from .lexicons import lexicons
from .matching import compile_all
from .risk import (
    explicit_kinds,
    means_direction,
    risk_handling,
    risk_present,
    safety_category,
    with_risk,
)
from .risk_cue import quoted_cue, replies_risk
from .rubrics import Rubric, load_rubric
from .rules import analyse_response
from .text import question_patterns
from .validation import validation_level

#: Version of the scorer (models, rules and lexicons); stored with every assessment.
SCORER_VERSION = "0.6.2"
#: Most words of a bare client statement that risk feedback quotes as its cue.
MAX_CUE_WORDS = 25
#: Longest response scored, in characters.
MAX_RESPONSE_CHARS = 20_000


def warm_up() -> None:
    """Load every rubric and lexicon and compile every pattern now (about a second), so that
    the first responses a server scores are as fast as the rest."""
    for name in RUBRIC_NAMES:
        load_rubric(name)
    lexicons()
    compile_all()
    question_patterns()
    score_response("You sound tired.", client_statement="I'm so tired.")


def _missing(value: object) -> bool:
    """None, NaN or pandas' NA: a spreadsheet's empty cell."""
    try:
        return value is None or bool(value != value)
    except TypeError:  # pandas' NA has no truth value
        return True


def _check_input(response: object) -> str:
    if not isinstance(response, str) and not _missing(response):
        raise EmptyResponseError(  # a number in a spreadsheet cell
            f"the response is not text ({type(response).__name__}); write what you would say "
            "to the client"
        )
    if not isinstance(response, str) or not response.strip():
        raise EmptyResponseError("the response is empty; write what you would say to the client")
    if len(response) > MAX_RESPONSE_CHARS:
        raise ResponseTooLongError(
            f"the response is {len(response):,} characters long; the scorer accepts at most "
            f"{MAX_RESPONSE_CHARS:,}. Shorten it to what you would say in one turn."
        )
    return response


def _over_interpretation_cap(rubric: Rubric) -> int:
    """The highest level a reading the answer key says goes too far may keep (5: no cap)."""
    for criterion in rubric.criteria:
        if criterion.detector == "over_interpretation":
            return int(criterion.params.get("level_cap", 5))
    return 5


def score_response(
    response: str | object,
    *,
    client_statement: str | None = None,
    vignette: Vignette | None = None,
    rubric: str | Rubric = "reflection",
) -> Assessment:
    """Score one response against a client statement or a vignette, with a rubric.

    `rubric` is a built-in rubric's name (see RUBRIC_NAMES) or a loaded Rubric. Raises
    ValueError for an unknown rubric, EmptyResponseError for an empty response (or one that is
    not text at all, such as a spreadsheet's empty cell) and ResponseTooLongError for one over
    MAX_RESPONSE_CHARS characters, and NotEnglishError for one that does not read as English.
    """
    spec = rubric if isinstance(rubric, Rubric) else load_rubric(rubric)
    statement_text = _statement_text(client_statement, vignette)
    text, judged = _read(response, statement_text)
    return _assess(text, judged, statement_text, vignette, spec, replies=None)


def score_responses(
    responses: Sequence[object],
    *,
    client_statement: str | None = None,
    vignette: Vignette | None = None,
    rubric: str | Rubric = "reflection",
    replies: float | None = None,
) -> list[Assessment | InputError]:
    """Score the responses to one client statement together: like `score_response` for each,
    except that a bare statement (no vignette) answered by at least `risk_cue.MIN_REPLIES`
    distinct responses is read for a risk cue with all of them, as a grader reading a class's
    answers would (`replies`: how they read together, `read_replies`; by default read from
    `responses`). A response that cannot be scored gets its InputError in its place;
    ValueError for an unknown rubric."""
    spec = rubric if isinstance(rubric, Rubric) else load_rubric(rubric)
    statement_text = _statement_text(client_statement, vignette)
    read = [_read_or_error(response, statement_text) for response in responses]
    if replies is None and vignette is None and statement_text.strip():
        replies = _replies(read)
    return [
        r if isinstance(r, InputError) else _assess(*r, statement_text, vignette, spec, replies)
        for r in read
    ]


def read_replies(responses: Iterable[object], client_statement: str) -> float | None:
    """How the distinct responses to a bare client statement read together for a risk cue
    (`risk_cue.replies_risk`; responses that cannot be scored are left out). Keeps one number
    per response, however many there are."""
    return _replies(_read_or_error(response, client_statement) for response in responses)


def _replies(read: Iterable[tuple[str, learned.Judgements] | InputError]) -> float | None:
    """`risk_cue.replies_risk` over the distinct responses read."""
    reply = {  # one number per distinct answer, whatever its spacing
        " ".join(r[0].split()): r[1].binary["reply_risk"]
        for r in read
        if not isinstance(r, InputError)
    }
    return replies_risk(list(reply.values()))


def _statement_text(client_statement: str | None, vignette: Vignette | None) -> str:
    statement_text = client_statement if client_statement is not None else ""
    if not statement_text.strip() and vignette is not None:
        statement_text = vignette.statement
    return statement_text


def _read_or_error(
    response: object, statement_text: str
) -> tuple[str, learned.Judgements] | InputError:
    try:
        return _read(response, statement_text)
    except InputError as exc:
        return exc


def _read(response: object, statement_text: str) -> tuple[str, learned.Judgements]:
    """The response's text and the models' judgements, or the InputError it gets."""
    text = _check_input(response)
    if not learned.reads_as_english(text, statement_text):
        raise NotEnglishError(
            "This scorer reads English only, and this response does not read as English. "
            "Write your response in English to get feedback."
        )
    return text, learned.judge(text, statement_text)


def _assess(
    text: str,
    judged: learned.Judgements,
    statement_text: str,
    vignette: Vignette | None,
    spec: Rubric,
    replies: float | None,
) -> Assessment:
    """The assessment of a response the models have read (`replies`: see `score_responses`)."""
    lex = lexicons()
    client = client_of(statement_text, vignette)
    asks = judged.top("question_type") != "none"
    found, key = analyse_response(
        text, client, spec, patterns_stand=patterns_stand(judged), asks=asks
    )
    reconcile(found, judged, with_key=key is not None)
    cue_present = risk_present(vignette, statement_text, judged, replies)
    means_context = " ".join((statement_text, *(vignette.answer_key.means if vignette else ())))
    means = means_direction(text, means_context) if cue_present else None
    named = explicit_kinds(statement_text) if vignette is None else ()  # a bare statement's
    if vignette is not None:
        kinds = frozenset(c.kind for c in vignette.answer_key.risk_cues)
    else:
        kinds = frozenset(named)
    handling = risk_handling(judged, cue_present, key, text, means, kinds)
    unsafe = safety_category(text, kinds, means) if handling == "safety_error" else None
    key = with_risk(key, handling)
    behaviour = judged.top("behaviour")
    behaviour_evidence = behaviour_spans(found, behaviour, lex) or learned_spans(
        found, "behaviour", behaviour
    )
    depth, depth_spans = found.depth, found.depth_evidence
    # The type is the model's, and a question needs a question sentence too. The rules' type
    # stood before where the model read no question, but the rules' question sentences include
    # "I wonder if..." and tag endings, which raters do not count: five folds by writer,
    # question type 0.934 -> 0.942 (see the model card).
    q_type = judged.top("question_type") if found.questions and asks else None
    level = learned.reflective_level(
        judged,
        risk_handled=handling,
        roadblocked=bool(found.roadblocks),
        depth=found.depth,
        names_unstated=found.apt,
    )
    if key is not None and key.accuracy.over_interpretations:
        level = min(level, _over_interpretation_cap(spec))
    level_spans = level_evidence(found)
    validation = judged.validation_level(found.depth)
    if found.misfit:  # a feeling that contradicts the client's does not validate it
        validation = 0
    rule_validation, validation_spans = validation_level(found, lex)
    if rule_validation != validation:
        validation_spans = learned_spans(found, "validation", str(validation))
    # EPITOME stays with the rules: on EPITOME's own Reddit data they beat the learned heads
    # (macro-F1 0.66 / 0.55 / 0.70 against 0.36 / 0.37 / 0.53; see the model card).
    epitome, epitome_spans = epitome_codes(found, lex)
    cue, kind = "", "default"
    if handling is not None and vignette is None:  # the sentence that reads as the cue
        cue = clip_words(quoted_cue(statement_text), MAX_CUE_WORDS)
        kind = next(iter(named), kind)
    ctx = Context(
        found, key, validation, validation_spans, lex, vignette, handling, unsafe, cue, kind
    )
    fill = dict(client.fill)
    if handling in ("passed_over", "safety_error"):  # sample wording starts from the cue
        said = cue if vignette is None else next((c.cue for c in key.risk_cues), "") if key else ""
        fill["example"] = risk_example(said) or fill["example"]
    fill.update(
        level=str(level),
        meaning=level_meaning(level, handling),
        validation_level=str(validation),
        validation_meaning=VALIDATION_MEANINGS[validation],
    )
    criteria = criteria_results(ctx, spec, fill)
    feedback = summary_feedback(spec, criteria, fill)
    roadblocks = tuple(
        RoadblockFinding(
            r.category,
            make_span(found.text, (r.start, r.end)),
            lex.by_id[r.category].alternative.format_map(Fill(fill)),
        )
        for r in found.roadblocks
    )
    evidence = {
        "hrq_level": make_spans(found.text, level_spans),
        "behaviour": make_spans(found.text, behaviour_evidence),
        "reflection_depth": make_spans(found.text, depth_spans),
        "validation": make_spans(found.text, validation_spans),
        **{name: make_spans(found.text, spans) for name, spans in epitome_spans.items()},
        "feelings": make_spans(found.text, [(f.start, f.end) for f in found.feelings]),
    }
    if q_type is not None:
        evidence["question_type"] = make_spans(found.text, question_spans(found))
    return Assessment(
        response=text,
        hrq_level=level,
        behaviour=behaviour,
        question_type=q_type,
        reflection_depth=depth,
        roadblocks=roadblocks,
        validation_level=validation,
        epitome=epitome,
        criteria=criteria,
        feedback=feedback,
        confidence=learned_confidence(judged, level, handling),
        scorer_version=SCORER_VERSION,
        rubric=spec.id,
        vignette_id=vignette.id if vignette is not None else None,
        accuracy=key.accuracy if key is not None else None,
        evidence={k: v for k, v in evidence.items() if v},
        risk_handled=handling,
    )
