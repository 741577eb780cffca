"""The feedback card: the level and one next step first, each example once, details folded."""

from __future__ import annotations

import dataclasses
import re

from empathy_training.models import Library
from empathy_training.scoring import score_response
from empathy_training.ui.cards import assessment_card, exemplars_card

ADVICE = "You should just take the blue one in the morning, don't worry about it."


def _card(library: Library, text: str) -> str:
    vignette = library.vignette("rlb-three-inhalers")
    return assessment_card(score_response(text, vignette=vignette))


def test_a_card_leads_with_the_level_and_one_next_step(library: Library) -> None:
    card = _card(library, ADVICE)
    lead = card.index("class='et-lead'")
    assert lead < card.index("class='et-next'") < card.index("<details")
    assert "Level 1 of 5" in card[lead : card.index("<details")]


def test_each_example_sentence_appears_once(library: Library) -> None:
    card = _card(library, ADVICE)
    examples = re.findall(r"for example:? &#x27;(.+?)&#x27;", card)
    assert examples, "the card offers at least one example"
    assert len(examples) == len(set(examples)), examples


def test_scoring_details_are_folded_and_in_plain_words(library: Library) -> None:
    card = _card(library, ADVICE)
    details = card[card.index("<details") :]
    assert "<summary>" in details and "Kind of response" in details
    assert "input (information, advice or opinion)" in details
    assert "Response type:" not in card and ".;" not in card and "Accuracy" not in card


def test_every_technical_term_on_a_card_is_explained_in_place(library: Library) -> None:
    card = _card(library, ADVICE)
    terms = dict(
        (label, title)
        for title, label in re.findall(
            r"<abbr class='et-term' title='([^']+)' tabindex='0'>([^<]+)<", card
        )
    )
    for term in (
        "Roadblocks",
        "advising",
        "Kind of response",
        "Depth of reflection",
        "Validation",
        "Empathy codes (EPITOME)",
        "How sure the scorer is",
        "Level 1 of 5",
        "No roadblocks",
    ):
        assert terms.get(term, "").strip(), f"{term} is not explained"


def test_every_criterion_names_a_glossary_term() -> None:
    from empathy_training.glossary import load_glossary
    from empathy_training.scoring import RUBRIC_NAMES, load_rubric
    from empathy_training.ui.cards import CRITERION_TERMS

    glossary = load_glossary()
    for name in RUBRIC_NAMES:
        for criterion in load_rubric(name).criteria:
            assert CRITERION_TERMS.get(criterion.id, "") in glossary, criterion.id


def test_each_criterion_says_where_it_comes_from(library: Library) -> None:
    card = _card(library, ADVICE)
    assert card.count("Where this comes from") >= 3
    assert "Gordon" in card  # the roadblocks' source
    assert "Set by us because" in card  # a number of ours says why it has its value


def test_model_responses_end_with_what_to_do_beyond_listening(library: Library) -> None:
    card = exemplars_card(library.vignette("emo-six-hours-waiting"))
    beyond = card.split("Beyond listening", 1)[1]
    assert "Act now:" in beyond and "triage nurse to see him again now" in beyond
    assert "NICE NG143" in beyond
    phone = exemplars_card(library.vignette("risk-checks-my-phone"))
    assert "Safeguarding:" in phone and "coercive control" in phone.lower()


def test_a_vignette_with_nothing_beyond_listening_shows_no_such_section(library: Library) -> None:
    fields = ("urgent_action", "means", "safeguarding", "capacity", "risk_factors")
    quiet = [v for v in library.vignettes if not any(getattr(v.answer_key, f) for f in fields)]
    assert quiet
    assert "Beyond listening" not in exemplars_card(quiet[0])


def test_beyond_listening_notes_are_escaped(library: Library) -> None:
    vignette = library.vignette("emo-six-hours-waiting")
    key = dataclasses.replace(vignette.answer_key, urgent_action=("<script>alert(1)</script>",))
    card = exemplars_card(dataclasses.replace(vignette, answer_key=key))
    assert "<script>" not in card and "&lt;script&gt;" in card
