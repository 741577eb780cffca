"""Client statements and a vignette the scorer's tests share."""

from __future__ import annotations

from empathy_training.models import AnswerKey, Exemplar, RiskCue, Vignette
from empathy_training.scoring import score_response

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
