"""Widget callbacks that never fail silently: errors go to a visible message and the log."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import ipywidgets as widgets

from ..errors import EmpathyTrainingError
from .cards import message

log = logging.getLogger("empathy_training.ui")

F = TypeVar("F", bound=Callable[..., Any])


def guarded(target: Callable[[], widgets.HTML]) -> Callable[[F], F]:
    """Wrap a callback so an exception shows a clear message in `target()` and is logged.

    ipywidgets swallows exceptions raised in callbacks; this makes them visible instead.
    Expected errors (EmpathyTrainingError) show their own message; anything else shows a
    generic one and logs the traceback.
    """

    def decorate(callback: F) -> F:
        @functools.wraps(callback)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            try:
                return callback(*args, **kwargs)
            except EmpathyTrainingError as exc:
                log.warning("%s: %s", callback.__name__, exc)
                target().value = message(str(exc), "error")
            except Exception:
                log.exception("unexpected error in %s", callback.__name__)
                target().value = message(
                    "Something went wrong on our side; nothing you typed was lost. "
                    "Try again, and tell your supervisor if it keeps happening.",
                    "error",
                )
            return None

        return wrapper  # type: ignore[return-value]

    return decorate
