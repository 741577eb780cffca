"""A stronger version of the trainee's own response: kept, dropped, added, and scored again."""

from __future__ import annotations

from empathy_training.models import Library
from empathy_training.scoring import score_response
from empathy_training.scoring.rewrite import is_copy, stronger_version
from empathy_training.scoring.risk import direct_question
from empathy_training.ui.cards import assessment_card

REFLECTION = "You're confused about which one to take"
ADVICE = f"{REFLECTION}, but you should just read the leaflet in each box."


def test_an_advice_response_gets_a_rewrite_that_keeps_the_reflection(library: Library) -> None:
    vignette = library.vignette("rlb-three-inhalers")
    assessment = score_response(ADVICE, vignette=vignette)
    assert assessment.hrq_level < 4 and assessment.roadblocks
    rewrite = stronger_version(assessment, vignette=vignette)
    assert rewrite is not None
    assert score_response(rewrite.text, vignette=vignette).hrq_level >= 4
    assert REFLECTION in rewrite.text
    assert any(REFLECTION in kept for kept in rewrite.kept)
    assert "leaflet" not in rewrite.text and any("leaflet" in r for r in rewrite.removed)
    assert rewrite.added and rewrite.why.endswith(".") and rewrite.why.count(". ") == 0
    assert not is_copy(rewrite.text, [e.text for e in vignette.exemplars])


def test_a_general_claim_echoing_the_client_is_not_kept(library: Library) -> None:
    # The client said "everyone says relapse is part of recovery, but that's rubbish": saying
    # it back as a fact is reassurance, however many of the client's words it shares.
    vignette = library.vignette("emo-fourteen-months")
    response = (
        "Relapse really is part of recovery, and fourteen months still counts; "
        "you haven't lost that."
    )
    rewrite = stronger_version(score_response(response, vignette=vignette), vignette=vignette)
    assert rewrite is not None
    assert "part of recovery" not in rewrite.text
    assert any("part of recovery" in removed for removed in rewrite.removed)


def test_a_roadblock_the_models_overrule_is_never_offered_as_a_stronger_version(
    library: Library,
) -> None:
    # The models read this "yes, but" turn as a reflection with no roadblock; the persuading
    # clause must still not come back in a model answer.
    vignette = library.vignette("val-proving-the-pain")
    response = "You're tired of proving it, but you have to admit the tests were all normal."
    assessment = score_response(response, vignette=vignette)
    rewrite = stronger_version(assessment, vignette=vignette)
    assert rewrite is not None
    assert "have to admit" not in rewrite.text
    assert any("have to admit" in removed for removed in rewrite.removed)


def test_a_self_critical_client_is_never_offered_a_self_label(library: Library) -> None:
    for vignette_id in ("sc-pathetic-washing-up", "sc-failed-resit", "sc-useless-mother"):
        vignette = library.vignette(vignette_id)
        labels = [label.lower() for label in vignette.answer_key.self_labels]
        for exemplar in (e for e in vignette.exemplars if e.level <= 2):
            rewrite = stronger_version(
                score_response(exemplar.text, vignette=vignette), vignette=vignette
            )
            if rewrite is None:
                continue
            added = " ".join(rewrite.added).lower()
            assert not any(label in added for label in labels), (vignette_id, rewrite.text)
            assert not any(o.lower() in added for o in vignette.answer_key.over_interpretations)


def test_a_passed_over_risk_is_asked_about_plainly(library: Library) -> None:
    vignette = library.vignette("risk-tablets-in-the-drawer")
    text = "Three or four nights a week of nightmares, no wonder you're knackered."
    assessment = score_response(text, vignette=vignette)
    assert assessment.risk_handled != "taken_up"
    rewrite = stronger_version(assessment, vignette=vignette)
    assert rewrite is not None
    kind = vignette.answer_key.risk_cues[0].kind
    assert rewrite.text.endswith(direct_question(kind))
    assert text in rewrite.text
    again = score_response(rewrite.text, vignette=vignette)
    assert again.risk_handled == "taken_up" and again.hrq_level >= 4


def test_a_response_at_level_four_gets_none(library: Library) -> None:
    vignette = library.vignette("rlb-three-inhalers")
    best = max(vignette.exemplars, key=lambda e: e.level)
    assert stronger_version(score_response(best.text, vignette=vignette), vignette=vignette) is None


def test_the_card_shows_the_rewrite_with_changes_marked_and_escaped(library: Library) -> None:
    vignette = library.vignette("rlb-three-inhalers")
    text = f"{REFLECTION}. <script>alert(1)</script> You should just read the leaflet."
    assessment = score_response(text, vignette=vignette)
    rewrite = stronger_version(assessment, vignette=vignette)
    assert rewrite is not None
    card = assessment_card(assessment, rewrite=rewrite)
    assert "Your response &rarr; A stronger version" in card
    assert "<del>" in card and "<ins>" in card and rewrite.why in card
    assert "<script>" not in card and "&lt;script&gt;" in card
    assert "A stronger version" not in assessment_card(assessment)


def test_a_neglect_cue_is_asked_about_in_the_clients_own_terms(library: Library) -> None:
    vignette = library.vignette("risk-locked-in-waiting")
    response = (
        "Locking a vulnerable adult in the house is a safeguarding issue. "
        "Your son can't be doing that."
    )
    rewrite = stronger_version(score_response(response, vignette=vignette), vignette=vignette)
    assert rewrite is not None
    assert "the food you need at home" in rewrite.text and "do you feel safe there?" in rewrite.text
    assert score_response(rewrite.text, vignette=vignette).risk_handled == "taken_up"
