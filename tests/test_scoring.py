"""Tests of the explainable scorer: roadblocks, levels, validation, EPITOME, criteria, contract."""

from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from empathy_training.errors import (
    EmptyResponseError,
    InputError,
    NotEnglishError,
    ResponseTooLongError,
)
from empathy_training.models import (
    BEHAVIOURS,
    REFLECTION_DEPTHS,
    ROADBLOCK_IDS,
    AnswerKey,
    Assessment,
    CriterionResult,
    Exemplar,
    RiskCue,
    Vignette,
)
from empathy_training.scoring import (
    MAX_RESPONSE_CHARS,
    RUBRIC_NAMES,
    SCORER_VERSION,
    load_rubric,
    score_response,
)

KNEE = (
    "I used to be up at the allotment every morning. Now I can barely get down the stairs, and "
    "my daughter keeps saying I should move somewhere smaller. I'm so fed up with it all."
)
INHALERS = (
    "This is the third inhaler they've given me this year, and every one has a different way "
    "of breathing in. Honestly, I'm confused. I just want someone to tell me which one I take."
)


def ids(response: str, statement: str = KNEE) -> set[str]:
    return set(score_response(response, client_statement=statement).roadblock_ids)


# --- roadblocks: one that should be found, and a near miss that should not -----------------

ROADBLOCK_CASES = [
    (
        "ordering",
        "You need to take the purple one every morning.",
        "You must be exhausted after five nights like that.",
    ),
    ("ordering", "Read the leaflet before you use them.", "Tell me more about the leaflets."),
    (
        "warning",
        "If you don't take them properly, you'll end up back in hospital.",
        "You're afraid that if you don't get it right, you'll end up back in hospital.",
    ),
    (
        "moralizing",
        "You should be grateful you got a bed at all.",
        "Your daughter keeps saying you should move somewhere smaller.",
    ),
    (
        "advising",
        "Have you tried writing the times on a chart?",
        "Have you tried anything that helped before?",
    ),
    (
        "advising",
        "Why don't you ask the pharmacist to label them?",
        "Could you tell me more about the mornings?",
    ),
    (
        "persuading",
        "The facts are that most people recover within three months.",
        "I know, but part of you still misses the allotment.",
    ),
    (
        "judging",
        "You're overreacting about a bit of noise.",
        "You're worried people will think you're overreacting.",
    ),
    (
        "praising",
        "Great job sticking with the exercises!",
        "You want to do a good job for your family.",
    ),
    (
        "shaming",
        "Stop being such a baby about it.",
        "You feel silly for crying in front of everyone.",
    ),
    (
        "interpreting",
        "The real reason you're upset is your childhood.",
        "You're really upset about what happened at the allotment.",
    ),
    ("reassuring", "Don't worry, it'll all be fine.", "You're worried it won't be fine."),
    (
        "reassuring",
        "At least you've still got your daughter.",
        "You used to go at least five times a week.",
    ),
    (
        "questioning",
        "Who said that? When? Did she mean it? Have you told her?",
        "What happened after that?",
    ),
    (
        "distracting",
        "Anyway, how was your holiday?",
        "You went anyway, even though your knee was bad.",
    ),
]


#: Near misses the learned models still read as roadblocks (surface words such as "must",
#: "at least", "if ... you'll end up", "won't be fine", "could you" outweigh the sense): known
#: errors, kept visible here and in the model card; strict, so that a model that gets them right
#: makes these tests fail loudly.
KNOWN_NEAR_MISS_ERRORS: frozenset[str] = frozenset(
    {
        "You must be exhausted after five nights like that.",
        "You're afraid that if you don't get it right, you'll end up back in hospital.",
        "Have you tried anything that helped before?",
        "You used to go at least five times a week.",
        "You went anyway, even though your knee was bad.",
        "Could you tell me more about the mornings?",
    }
)


@pytest.mark.parametrize(("category", "positive", "near_miss"), ROADBLOCK_CASES)
def test_roadblock_found(category: str, positive: str, near_miss: str) -> None:
    assert category in ids(positive)


@pytest.mark.parametrize(
    "near_miss",
    [
        pytest.param(
            case[2],
            marks=pytest.mark.xfail(
                case[2] in KNOWN_NEAR_MISS_ERRORS, reason="known model error", strict=True
            ),
        )
        for case in ROADBLOCK_CASES
    ],
)
def test_near_miss_is_not_a_roadblock(near_miss: str) -> None:
    assert not ids(near_miss)


def test_every_roadblock_id_is_covered() -> None:
    assert {c for c, _, _ in ROADBLOCK_CASES} == set(ROADBLOCK_IDS)


def test_roadblock_cites_words_and_suggests_an_alternative() -> None:
    a = score_response("Have you tried going to bed earlier?", client_statement=KNEE)
    finding = a.roadblocks[0]
    assert finding.category == "advising"
    assert finding.span.text == "Have you tried"
    assert "fed up" in finding.alternative


def test_questions_are_roadblocks_setting() -> None:
    gordon = dataclasses.replace(load_rubric("reflection"), questions_are_roadblocks=True)
    assert "questioning" not in ids("What happened next?")
    a = score_response("What happened next?", client_statement=KNEE, rubric=gordon)
    assert a.roadblock_ids == ("questioning",)


def test_good_reflections_have_no_roadblocks() -> None:
    for response in (
        "You're fed up that your knee keeps you from the allotment.",
        "It sounds like part of you wants to stay put, and part of you knows the stairs are "
        "getting harder.",
        "You feel you should be able to manage on your own.",
        "So your daughter thinks you should move, and you'd rather stay where you are.",
        "You must be really tired of it all.",
    ):
        assert not ids(response), response


# --- levels ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "level"),
    [
        ("You should try going to bed earlier.", 1),
        ("Don't worry, it happens to everyone.", 1),
        ("How long has your knee been bad?", 2),
        ("You're fed up, but you should really move somewhere smaller.", 2),
        ("You're fed up that your knee keeps you from the allotment.", 3),
        ("Part of you wants to stay, and part of you knows the stairs are getting too much.", 4),
        ("It sounds like you might be feeling lonely now the allotment is out of reach.", 5),
    ],
)
def test_hrq_levels(response: str, level: int) -> None:
    a = score_response(response, client_statement=KNEE)
    assert a.hrq_level == level, (a.reflection_depth, a.roadblock_ids)


def test_behaviour_and_question_type() -> None:
    q = score_response("What has been hardest about it?", client_statement=KNEE)
    assert (q.behaviour, q.question_type, q.reflection_depth) == ("question", "open", "none")
    r = score_response("You're fed up with your knee.", client_statement=KNEE)
    assert (r.behaviour, r.question_type) == ("reflection", None)
    i = score_response("You should do the exercises the physio gave you.", client_statement=KNEE)
    assert i.behaviour == "input"
    closed = score_response("Do you take them in the morning?", client_statement=INHALERS)
    assert closed.question_type == "closed"


def test_reflection_depth_simple() -> None:
    simple = score_response("You're confused about which one to take.", client_statement=INHALERS)
    assert simple.reflection_depth == "simple"


@pytest.mark.xfail(
    reason="known model error: a hedged unstated feeling read as simple", strict=True
)
def test_reflection_depth_complex() -> None:
    added = score_response(
        "You're confused, and maybe a bit worried you'll get it wrong.", client_statement=INHALERS
    )
    assert added.reflection_depth == "complex"
    assert "reflection_depth" in added.evidence


# --- validation --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "level"),
    [
        ("Calm down, it's not that bad.", 0),
        ("Which bay is your mum in?", 0),
        ("You're angry that nobody came when you pressed the buzzer.", 2),
        ("You're angry, and maybe frightened for her too.", 3),
        ("After everything you've been through with her, it makes sense that you're angry.", 4),
        ("Anyone in your place would be furious.", 5),
    ],
)
def test_validation_levels(response: str, level: int) -> None:
    statement = "I pressed the buzzer twice and nobody came. I'm absolutely furious."
    a = score_response(response, client_statement=statement, rubric="validation")
    assert a.validation_level == level
    assert a.validation_level not in (1, 6)


# --- EPITOME -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("response", "codes"),
    [
        ("I'm so sorry you're going through this.", (2, None, 0)),
        ("Hope things get better for you.", (1, None, 0)),
        ("It sounds like you feel left out.", (None, 2, 0)),
        ("I understand.", (None, 1, 0)),
        ("What happened?", (0, 0, 1)),
        ("What happened at work that made you feel this way?", (0, 0, 2)),
        ("I went through the same thing last year.", (None, 2, None)),
    ],
)
def test_epitome(response: str, codes: tuple[int | None, int | None, int | None]) -> None:
    e = score_response(response, client_statement="I got left out again at work.").epitome
    for got, want in zip((e.er, e.ip, e.ex), codes, strict=True):
        if want is not None:
            assert got == want, (response, e)


# --- compassion --------------------------------------------------------------------------


def test_compassion_criteria() -> None:
    statement = "I failed the resit. I feel so stupid, everyone else can do it."
    good = score_response(
        "That's really painful. Lots of people struggle with resits, you're not alone in that. "
        "What would you say to a friend who told you this?",
        client_statement=statement,
        rubric="compassion",
    )
    met = {c.id: c.met for c in good.criteria}
    assert met == {
        "acknowledges-pain": True,
        "no-roadblocks": True,
        "common-humanity": True,
        "self-kindness": True,
    }
    bad = score_response(
        "You're not stupid! Just revise harder.", client_statement=statement, rubric="compassion"
    )
    missed = {c.id for c in bad.criteria if not c.met}
    assert {"no-roadblocks", "common-humanity", "self-kindness"} <= missed


def test_amplifying_is_not_acknowledging() -> None:
    a = score_response(
        "That's absolutely horrendous, your life is ruined.",
        client_statement="I failed my driving test again.",
        rubric="compassion",
    )
    assert not {c.id: c.met for c in a.criteria}["acknowledges-pain"]


# --- vignettes ---------------------------------------------------------------------------

VIGNETTE = Vignette(
    id="test-tablets",
    title="Tablets in the drawer",
    setting="primary care",
    client="A man in his fifties.",
    statement=(
        "I'm knackered. I stopped taking the sleeping tablets; I've been keeping them in a "
        "drawer, just in case it gets too much."
    ),
    difficulty="advanced",
    answer_key=AnswerKey(
        stated_feelings=("knackered",),
        unstated_feelings=("hopeless", "trapped"),
        meanings=("saving the tablets for an overdose",),
        key_content=("tablets", "drawer", "just in case"),
        over_interpretations=("depressed",),
        risk_cues=(
            RiskCue(
                "suicide",
                "keeping them in a drawer, just in case",
                ("tablets", "end your life", "safe", "just in case"),
            ),
        ),
    ),
    exemplars=(Exemplar("You're knackered.", 3, "simple"),),
)


def test_vignette_accuracy_and_over_interpretation() -> None:
    a = score_response(
        "You're knackered and you sound trapped, keeping the tablets in the drawer just in "
        "case. Are you thinking of using them to end your life?",
        vignette=VIGNETTE,
    )
    assert a.accuracy is not None
    assert {"knackered", "trapped", "tablets"} <= set(a.accuracy.caught)
    assert not a.accuracy.missed_risks
    assert a.hrq_level == 5
    over = score_response("You're knackered and clearly depressed.", vignette=VIGNETTE)
    assert over.accuracy is not None and over.accuracy.over_interpretations
    assert over.hrq_level < 5


def test_missed_risk_caps_level_and_leads_feedback() -> None:
    a = score_response(
        "You're exhausted, and part of you feels hopeless about the nights ever getting better.",
        vignette=VIGNETTE,
    )
    assert a.missed_risk
    assert a.hrq_level <= 2
    assert a.feedback.startswith("The client said")
    assert not {c.id: c.met for c in a.criteria}["takes-up-risk"]


# --- contract ----------------------------------------------------------------------------


def test_unknown_rubric_names_known_ones() -> None:
    with pytest.raises(ValueError, match="reflection"):
        score_response("You're tired.", rubric="nonsense")
    assert set(RUBRIC_NAMES) == {"reflection", "validation", "compassion"}


@pytest.mark.parametrize("response", ["", "   \n\t ", None, float("nan"), 3])
def test_empty_response_raises(response: object) -> None:
    with pytest.raises(EmptyResponseError):
        score_response(response)


def test_too_long_response_raises() -> None:
    with pytest.raises(ResponseTooLongError, match="20,000"):
        score_response("a" * (MAX_RESPONSE_CHARS + 1))
    assert issubclass(ResponseTooLongError, InputError)


@pytest.mark.parametrize("rubric", RUBRIC_NAMES)
def test_to_dict_round_trips_through_json(rubric: str) -> None:
    a = score_response(
        "You're knackered; it sounds like the tablets are a way out if it gets too much. "
        "Are you thinking of ending your life?",
        vignette=VIGNETTE,
        rubric=rubric,
    )
    assert Assessment.from_dict(json.loads(json.dumps(a.to_dict()))) == a
    assert a.scorer_version == SCORER_VERSION
    assert a.rubric == rubric


def test_criteria_feedback_is_complete() -> None:
    a = score_response("You should move somewhere smaller.", client_statement=KNEE)
    assert a.criteria
    for criterion in a.criteria:
        assert criterion.feedback and "{" not in criterion.feedback
    assert a.feedback.count(".") + a.feedback.count("?") >= 1 and "{" not in a.feedback
    assert "'" in a.feedback


def _check(a: Assessment, response: str) -> None:
    assert 1 <= a.hrq_level <= 5
    assert a.validation_level in (0, 2, 3, 4, 5)
    assert a.behaviour in BEHAVIOURS
    assert a.reflection_depth in REFLECTION_DEPTHS
    assert a.question_type in (None, "open", "closed")
    assert 0.0 <= a.confidence <= 1.0
    assert all(v in (0, 1, 2) for v in (a.epitome.er, a.epitome.ip, a.epitome.ex))
    spans = [r.span for r in a.roadblocks]
    spans += [s for c in a.criteria for s in c.evidence]
    spans += [s for group in a.evidence.values() for s in group]
    if a.accuracy is not None:
        spans += list(a.accuracy.over_interpretations)
    for span in spans:
        assert 0 <= span.start <= span.end <= len(response)
        assert response[span.start : span.end] == span.text


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(min_size=1, max_size=400), st.sampled_from(RUBRIC_NAMES))
def test_never_raises_on_arbitrary_text(response: str, rubric: str) -> None:
    if not response.strip():
        return
    try:
        assessment = score_response(response, client_statement=KNEE, rubric=rubric)
    except NotEnglishError:  # refused with a message, never a crash
        return
    _check(assessment, response)


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.sampled_from(
            [
                "You're",
                "fed up",
                "don't worry",
                "?",
                ".",
                ",",
                "part of you",
                "\u2019",
                "and",
                "🙂",
                "<script>",
                "être",
                "—",
                "\n",
                "it sounds like",
                "lonely",
                "Have you tried",
            ]
        ),
        min_size=1,
        max_size=40,
    )
)
def test_never_raises_on_phrase_soup(parts: list[str]) -> None:
    response = " ".join(parts)
    if not response.strip():
        return
    try:
        assessment = score_response(response, vignette=VIGNETTE)
    except NotEnglishError:  # refused with a message, never a crash
        return
    _check(assessment, response)


def test_odd_text_is_scored() -> None:
    for response in ("🙂🙂🙂", "<script>alert(1)</script>", "x" * 20_000, "<b>You're tired</b>"):
        _check(score_response(response, client_statement=KNEE), response)
    with pytest.raises(NotEnglishError):
        score_response("<b>Tu es fatigué, tu en as marre</b>", client_statement=KNEE)


def test_agreement_with_scenario_exemplars() -> None:
    """Regression guard on accuracy, not speed: the scorer agrees with the exemplars' labels."""
    loading = pytest.importorskip("empathy_training.loading")
    try:
        library = loading.load_library()
    except (FileNotFoundError, loading.ScenarioError):
        pytest.skip("scenario library not available")
    labels, scores = [], []
    for vignette in library.vignettes:
        for exemplar in vignette.exemplars:
            labels.append(exemplar.level)
            scores.append(score_response(exemplar.text, vignette=vignette).hrq_level)
    if len(labels) < 20:
        pytest.skip("too few exemplars")
    from sklearn.metrics import cohen_kappa_score

    assert cohen_kappa_score(labels, scores, weights="quadratic") >= 0.6


# --- aptness: a reflection is about what this client said ------------------------------------


def _library_vignette(vignette_id: str) -> Vignette:
    loading = pytest.importorskip("empathy_training.loading")
    try:
        return loading.load_library().vignette(vignette_id)
    except (FileNotFoundError, KeyError, loading.ScenarioError):
        pytest.skip("scenario library not available")


def _criterion(a: Assessment, criterion_id: str) -> CriterionResult:
    return {c.id: c for c in a.criteria}[criterion_id]


def test_reflection_about_another_client_is_not_accurate() -> None:
    vignette = _library_vignette("rlb-three-inhalers")
    a = score_response(
        "You're fed up that your knee keeps you from the allotment you love.", vignette=vignette
    )
    assert a.hrq_level <= 2
    assert a.validation_level < 2
    assert a.reflection_depth == "none"
    close = _criterion(a, "no-over-interpretation")
    assert not close.met
    assert "'knee'" in close.feedback and "'allotment'" in close.feedback
    assert {s.text for s in close.evidence} >= {"knee", "allotment"}
    assert "knee" in a.feedback  # the summary says why


def test_a_reflection_in_new_words_is_not_called_off_topic_without_a_vignette() -> None:
    """Against one client turn, a reflection that adds meaning must use words the client did
    not say; lexical overlap cannot tell it from one about something else, so the scorer does
    not try (the depth model judges it). Against a vignette's answer key it still does."""
    statement = (
        "My son hasn't rung me since Christmas. I paid for his wedding, I drove him everywhere."
    )
    a = score_response(
        "You gave him everything, and the silence feels like none of it counted.",
        client_statement=statement,
    )
    assert a.reflection_depth in {"simple", "complex"}
    assert a.hrq_level >= 3
    assert "stay with what they told you" not in a.feedback.lower()
    assert all(c.met for c in a.criteria if c.id == "no-over-interpretation")


@pytest.mark.parametrize(
    ("statement", "response", "least"),
    [
        (
            "I pressed the buzzer twice and nobody came. I'm absolutely furious.",
            "You're furious.",
            3,
        ),
        ("She promised she'd come and she didn't show up again.", "So you feel let down.", 3),
        pytest.param(
            "She promised she'd come and she didn't show up again.",
            "You sound really hurt.",
            3,
            marks=pytest.mark.xfail(
                reason="known model error: a short reflection of an unstated feeling read as "
                "no reflection",
                strict=True,
            ),
        ),
        (KNEE, "It's like the ground has shifted under your feet.", 4),
        (KNEE, "It's as if your whole life has been put on pause.", 4),
        (
            "Since Jean died the house is so quiet. I still set two cups out in the morning.",
            "You sound terribly lonely without her.",
            4,
        ),
        (
            "The baby won't feed properly and the midwife keeps weighing her and frowning.",
            "It sounds like you're judging yourself as a mother by every number on those scales.",
            3,
        ),
        (INHALERS, "You're confused because each one works differently.", 3),
    ],
)
def test_genuine_reflections_are_not_off_topic(statement: str, response: str, least: int) -> None:
    a = score_response(response, client_statement=statement)
    assert a.hrq_level >= least, (a.reflection_depth, a.roadblock_ids)
    assert _criterion(a, "no-over-interpretation").met


def test_answer_key_words_count_as_what_the_client_said() -> None:
    # 'tablets' is in the statement, 'overdose' only in the answer key's meanings.
    a = score_response("You've been saving them up for an overdose.", vignette=VIGNETTE)
    assert _criterion(a, "no-over-interpretation").met


# --- criteria that do not apply, and evidence that is empty ---------------------------------


def test_risk_criterion_only_when_the_vignette_has_risk_cues() -> None:
    no_risk = dataclasses.replace(
        VIGNETTE, answer_key=dataclasses.replace(VIGNETTE.answer_key, risk_cues=())
    )
    for rubric in RUBRIC_NAMES:
        plain = score_response("You're knackered.", vignette=no_risk, rubric=rubric)
        assert "takes-up-risk" not in {c.id for c in plain.criteria}
        alone = score_response("You're knackered.", client_statement=KNEE, rubric=rubric)
        assert "takes-up-risk" not in {c.id for c in alone.criteria}
        risky = score_response("Are you safe?", vignette=VIGNETTE, rubric=rubric)
        assert "takes-up-risk" in {c.id for c in risky.criteria}


def test_library_vignette_without_risk_cues_shows_no_risk_criterion() -> None:
    vignette = _library_vignette("rlb-three-inhalers")
    a = score_response("You're confused by all the changes.", vignette=vignette)
    assert "takes-up-risk" not in {c.id for c in a.criteria}
    assert "('')" not in a.feedback


@pytest.mark.parametrize("rubric", RUBRIC_NAMES)
def test_no_template_quotes_empty_evidence(rubric: str) -> None:
    spec = load_rubric(rubric)
    for criterion in spec.criteria:
        for met in (True, False):
            wording = criterion.template(met, evidence=False)
            assert "{evidence}" not in wording, (criterion.id, wording)
            plain = wording.format(**{k: "X" for k in _placeholder_names(wording)})
            assert "('')" not in plain and "()" not in plain and "''" not in plain, plain
            assert plain[:1].isupper() or plain[:1] in "{'", plain


def _placeholder_names(template: str) -> set[str]:
    import string

    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


@pytest.mark.parametrize("rubric", RUBRIC_NAMES)
@pytest.mark.parametrize(
    "response",
    [
        "You're knackered.",
        "Are you safe?",
        "Have you tried going to bed earlier?",
        "You're worn out and keeping them just in case. Are you thinking of using them?",
        "Part of you wants to stop and part of you is scared.",
    ],
)
def test_feedback_never_quotes_nothing(rubric: str, response: str) -> None:
    for kwargs in ({"vignette": VIGNETTE}, {"client_statement": KNEE}, {}):
        a = score_response(response, rubric=rubric, **kwargs)  # type: ignore[arg-type]
        texts = [a.feedback, *(c.feedback for c in a.criteria)]
        for text in texts:
            assert "('')" not in text and "''" not in text and "()" not in text, text
            assert "{" not in text, text


# --- suggested wording ------------------------------------------------------------------------


def _example_for(statement: str) -> tuple[str, str]:
    """The suggested reflection, and the one that names a feeling, for a response that asks."""
    a = score_response("What happened?", client_statement=statement)
    found = []
    for criterion_id in ("reflects", "names-feeling"):
        feedback = _criterion(a, criterion_id).feedback
        match = re.search(r"for example: '(.+)'$", feedback)
        assert match, feedback
        found.append(match.group(1))
    return found[0], found[1]


FEELING_FRAME = re.compile(r"^It sounds like you're feeling (?P<feeling>[a-z][a-z' -]*)\.$")


@pytest.mark.parametrize(
    ("statement", "feeling"),
    [
        ("I'm so tired and fed up with it all.", "tired"),
        ("I'm worried sick about my mum.", "worried"),
        ("Honestly, it's so confusing.", "confused"),
        ("I'm panicking about the exam next week.", "panicky"),
        ("I'm at the end of my tether with the kids.", "at the end of your tether"),
        ("My boss hates me and I'm just so anxious all the time.", "anxious"),
    ],
)
def test_example_names_the_feeling_the_client_puts_on_themselves(
    statement: str, feeling: str
) -> None:
    example, with_feeling = _example_for(statement)
    match = FEELING_FRAME.match(example)
    assert match and match.group("feeling") == feeling, example
    assert with_feeling == example


@pytest.mark.parametrize(
    "statement",
    [
        "It makes me feel stupid when she does that.",
        "I feel like a failure.",
        "I'm a burden to everyone.",
    ],
)
def test_a_self_critical_word_is_never_offered_back_as_a_feeling(statement: str) -> None:
    example, with_feeling = _example_for(statement)
    assert example == "It sounds like you've been really hard on yourself."
    assert with_feeling.startswith(example[:-1]) and "burden" not in with_feeling


@pytest.mark.parametrize(
    "statement",
    [
        "I keep messing everything up at work and my boss hates me.",
        "I hate my job.",
        "I gave my guitar to my roommate, because I won't need it.",
        "Nothing has gone right since the move.",
    ],
)
def test_example_without_an_own_feeling_says_less(statement: str) -> None:
    # A topic picked by rule too often names the wrong thing ("things with your guitar"), so
    # without a feeling the client named, the example is plain and the feeling a guess.
    got, with_feeling = _example_for(statement)
    assert got == "It sounds like this has been weighing on you."
    assert "things" not in with_feeling and "your" not in with_feeling
    assert re.match(r"^It sounds like you might be feeling [a-z ]+\.$", with_feeling), with_feeling


def test_example_with_a_key_names_the_keys_unstated_feeling() -> None:
    vignette = dataclasses.replace(
        VIGNETTE,
        statement="I gave my guitar to my roommate, because I won't need it.",
        answer_key=dataclasses.replace(
            VIGNETTE.answer_key, stated_feelings=(), unstated_feelings=("hopeless",)
        ),
    )
    a = score_response(
        "Have you tried talking to your tutor about it?", vignette=vignette, rubric="reflection"
    )
    examples = " ".join(c.feedback for c in a.criteria) + " ".join(
        r.alternative for r in a.roadblocks
    )
    assert "It sounds like you might be feeling hopeless." in examples
    assert "guitar have been" not in examples


def test_roadblock_alternative_uses_a_grammatical_example() -> None:
    a = score_response(
        "Have you tried talking to your boss about it?",
        client_statement="I keep messing everything up at work and my boss hates me.",
    )
    assert "feeling hates" not in a.roadblocks[0].alternative
    assert "It sounds like this has been weighing on you." in a.roadblocks[0].alternative


def test_vignette_example_uses_an_adjective() -> None:
    vignette = dataclasses.replace(
        VIGNETTE,
        statement="I hate it here and I miss her.",
        answer_key=dataclasses.replace(
            VIGNETTE.answer_key,
            stated_feelings=("hate", "miss her"),
            unstated_feelings=("grief", "lonely"),
        ),
    )
    a = score_response("What happened?", vignette=vignette, rubric="validation")
    unsaid = _criterion(a, "names-unsaid").feedback
    assert "feeling sad too" in unsaid  # 'grief' said as an adjective
    for c in a.criteria:
        assert "feeling hate" not in c.feedback and "feeling miss" not in c.feedback


# --- the client's statement is worked out once for a batch ------------------------------------


def test_statement_is_analysed_once_for_many_responses() -> None:
    from empathy_training.scoring import client, text

    statement = "I've done six night shifts in a row and the ward still calls me on my days off."
    text.analyse.cache_clear()
    client._client_for.cache_clear()
    for i in range(20):
        score_response(f"You're worn out by shift {i}.", client_statement=statement)
    assert text.analyse.cache_info().misses == 1
    assert client._client_for.cache_info().misses == 1
    assert text.analyse(statement).original == statement


# --- generalisation: hand-written responses to statements outside the library ----------------

HANDWRITTEN = Path(__file__).parent / "data" / "scoring" / "handwritten.yml"


def test_agreement_with_handwritten_responses() -> None:
    """A regression guard on responses written and labelled by hand by the scorer's first
    authors (not blind: benchmarks/generalisation.py has the blind figures)."""
    from sklearn.metrics import cohen_kappa_score

    data = yaml.safe_load(HANDWRITTEN.read_text(encoding="utf-8"))
    labels, scores = [], []
    for item in data["statements"]:
        for response in item["responses"]:
            labels.append(response["level"])
            a = score_response(response["text"], client_statement=item["statement"])
            scores.append(a.hrq_level)
    assert len(labels) >= 25
    assert cohen_kappa_score(labels, scores, weights="quadratic") >= 0.75


def test_blind_part_of_the_corpus_stays_above_a_floor() -> None:
    """A regression guard on the corpus's blind part (never trained or tuned on): the whole
    scorer's level against the adjudicated labels (figures: benchmarks/generalisation.py)."""
    import json

    from sklearn.metrics import cohen_kappa_score

    corpus = Path(__file__).resolve().parents[1] / "src" / "empathy_training" / "data" / "corpus"
    statements = {}
    for line in (corpus / "statements.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        statements[row["statement_id"]] = row["statement"]
    labels, scores = [], []
    for line in (corpus / "responses.jsonl").read_text(encoding="utf-8").splitlines():
        row = json.loads(line)
        if row["split"] != "blind":
            continue
        labels.append(row["labels"]["level"])
        a = score_response(row["response"], client_statement=statements[row["statement_id"]])
        scores.append(a.hrq_level)
    assert len(labels) >= 600
    assert cohen_kappa_score(labels, scores, weights="quadratic") >= 0.75


ALLOTMENT = "My knee has been so bad I can't get to the allotment any more."


@pytest.mark.parametrize(
    "response",
    [
        "Mm-hmm.",
        "So the allotment.",
        "The allotment has been your place for years.",
        "You should rest it. Have you seen a doctor?",
        "It sounds like you miss it.",
    ],
)
def test_behaviour_and_depth_always_cite_evidence(response: str) -> None:
    a = score_response(response, client_statement=ALLOTMENT)
    assert a.evidence["behaviour"]
    if a.reflection_depth != "none":
        assert a.reflection_depth in {"simple", "complex"}
        assert a.evidence["reflection_depth"]


def test_precise_rules_hold_against_the_classifier() -> None:
    assert (
        score_response("It sounds like you miss it.", client_statement=ALLOTMENT).behaviour
        == "reflection"
    )
    advice = score_response("You should rest it and see your doctor.", client_statement=ALLOTMENT)
    assert advice.behaviour == "input"
    assert (
        score_response("What do you miss most?", client_statement=ALLOTMENT).behaviour == "question"
    )


def test_a_fragment_that_says_back_the_clients_words_is_a_reflection() -> None:
    """The depth model decides whether a response reflects, whatever its grammar; the level
    follows from its decision, and the words that earned it are cited."""
    a = score_response("So the allotment.", client_statement=ALLOTMENT)
    assert a.behaviour == "reflection"
    assert a.reflection_depth == "simple"
    assert a.hrq_level == 3
    assert a.evidence["reflection_depth"]


@pytest.mark.parametrize(
    "response",
    [
        "Tu es fatigué et tu en as marre de tout ça.",
        "Estás cansado y harto de todo esto.",
        "你很累了，对吗？我理解你的感受。",
    ],
)
def test_a_response_that_is_not_english_gets_a_clear_message(response: str) -> None:
    with pytest.raises(NotEnglishError, match="reads English"):
        score_response(response, client_statement="I'm so tired of all of it.")


@pytest.mark.parametrize(
    "response",
    ["u r so tired of it all innit", "Hoodies in this heat, lol, I'd melt.", "Ok 👍", "Mm."],
)
def test_informal_english_is_still_scored(response: str) -> None:
    assert score_response(response, client_statement="I'm so tired.").hrq_level in range(1, 6)
