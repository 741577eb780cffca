"""The explainable scorer: a response, its client statement or vignette, a rubric -> Assessment."""

from ..models import RUBRIC_NAMES, Assessment
from .pipeline import (
    DETECTORS,
    MAX_RESPONSE_CHARS,
    SCORER_VERSION,
    CriterionSpec,
    Rubric,
    load_rubric,
    score_response,
    warm_up,
)

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
    "warm_up",
]
