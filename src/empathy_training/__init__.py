"""Practise and grade empathic responses: vignettes, explainable scoring, apps on Voila."""

from .errors import (
    EmpathyTrainingError,
    EmptyResponseError,
    InputError,
    ResponseTooLongError,
    ScenarioError,
    StorageError,
)
from .loading import load_library
from .models import Assessment, Library, Module, Vignette
from .scoring import SCORER_VERSION, score_response

__all__ = [
    "SCORER_VERSION",
    "Assessment",
    "EmpathyTrainingError",
    "EmptyResponseError",
    "InputError",
    "Library",
    "Module",
    "ResponseTooLongError",
    "ScenarioError",
    "StorageError",
    "Vignette",
    "load_library",
    "score_response",
]
