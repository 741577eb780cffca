"""Practise and grade empathic responses: vignettes, explainable scoring, apps on Voila."""

from typing import TYPE_CHECKING, Any

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

if TYPE_CHECKING:
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


def __getattr__(name: str) -> Any:
    """The scorer is imported on first use: an app page can show before its models load."""
    if name in ("SCORER_VERSION", "score_response"):
        from . import scoring

        return getattr(scoring, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
