"""The explainable scorer: a response, its client statement or vignette, a rubric -> Assessment.

The modules follow the pipeline:

- text features: `words`, `feelings`, `topics`, `text` (a response broken into sentences,
  clauses, words and feelings), `patterns` and `matching` (the lexicons' cue patterns found in
  it), `features` (what the learned models read);
- the learned models: `classifiers`;
- the rules' evidence: `lexicons`, `client`, `answer_key`, `roadblocks`, `reflection`, `depth`,
  `validation`, `epitome` and `findings`, gathered by `rules`;
- decisions: `decisions` (the models decide, the rules supply the words) and `risk`;
- feedback wording: `rubrics`, `criteria`, `feedback`;
- `pipeline`: `score_response` (and `score_responses`, the answers to one statement
  together), which runs them;
- `rewrite`: a stronger version of a response, checked by scoring it again.
"""

from ..models import RUBRIC_NAMES, Assessment
from .criteria import DETECTORS
from .pipeline import (
    MAX_RESPONSE_CHARS,
    SCORER_VERSION,
    score_response,
    score_responses,
    warm_up,
)
from .rubrics import CriterionSpec, Rubric, load_rubric

__all__ = [
    "DETECTORS",
    "MAX_RESPONSE_CHARS",
    "RUBRIC_NAMES",
    "SCORER_VERSION",
    "Assessment",
    "CriterionSpec",
    "Rubric",
    "load_rubric",
    "score_response",
    "score_responses",
    "warm_up",
]
