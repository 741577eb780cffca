"""The practice app's sign-in: a name, a workshop code if any, and a personal code to return."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from html import escape
from typing import TYPE_CHECKING, Any

import ipywidgets as widgets

from ..identity import sign_in
from ..records import TraineeRecord, WorkshopRecord
from .callbacks import guarded
from .cards import message

if TYPE_CHECKING:
    from ..storage import Store

#: What happens next, told to someone whose sign-in was refused.
_PROBLEMS = {
    "code needed": (
        "Someone has already used the name '{name}' here. If that was you, type the personal "
        "code you were given the first time. If not, add an initial or choose another name."
    ),
    "wrong code": (
        "That personal code does not belong to '{name}'. Check it, or choose another name. "
        "If you have lost your code, ask your supervisor, or start again under a new name."
    ),
}


class SignInPanel:
    """Signs a trainee in; calls `on_signed_in(trainee, workshop, new_code)` when it works.

    `new_code` is the personal code made at this sign-in (to show once), or None. The store
    is asked for on the first sign-in, so the page can show before the database code loads.
    """

    def __init__(
        self,
        store: Callable[[], Store],
        status: widgets.HTML,
        on_signed_in: Callable[[TraineeRecord, WorkshopRecord | None, str | None], None],
    ) -> None:
        self.store = store
        self.status = status
        self.on_signed_in = on_signed_in
        box = {"style": {"description_width": "initial"}, "layout": widgets.Layout(width="19rem")}
        self.name_box = widgets.Text(description="Your name", placeholder="e.g. Sam K.", **box)
        self.code_box = widgets.Text(
            description="Workshop code (optional)", placeholder="e.g. K7QF-2M", **box
        )
        self.personal_box = widgets.Text(
            description="Personal code (if you have one)", placeholder="e.g. ABCD-EFGH", **box
        )
        self.start_button = widgets.Button(
            description="Start practising", button_style="primary", tooltip="Sign in and start"
        )
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    "<p>Enter the name you use here. In a workshop, also type the code your "
                    "supervisor shows. Coming back? Type the same name and the personal code "
                    "you were given the first time.</p>"
                ),
                widgets.HBox(
                    [self.name_box, self.code_box, self.personal_box, self.start_button],
                    layout=widgets.Layout(flex_flow="row wrap", align_items="center"),
                ),
            ]
        )
        self.start_button.on_click(self._on_start)
        for text_box in (self.name_box, self.code_box, self.personal_box):
            text_box.on_submit(self._on_start)  # Enter in any box starts

    def _on_start(self, _: Any = None) -> None:
        @guarded(lambda: self.status)
        def run() -> None:
            self.start()

        run()

    def start(self) -> TraineeRecord | None:
        """Sign in with what the boxes hold; say what is wrong if it does not work."""
        name = " ".join(self.name_box.value.split())
        if not name:
            self.status.value = message("Type your name first, then press Start.", "hint")
            return None
        workshop = None
        code = self.code_box.value.strip()
        if code:
            workshop = self.store().workshop_by_code(code)
            if workshop is not None and workshop.closed:
                self.status.value = message(
                    f"The workshop '{workshop.name}' has ended: its code no longer admits "
                    "anyone. Leave the code empty to practise on your own.",
                    "hint",
                )
                return None
            if workshop is None:
                self.status.value = message(
                    f"No open workshop has the code '{code}'. Check the code on the screen, "
                    "or leave it empty to practise on your own.",
                    "error",
                )
                return None
        result = sign_in(
            self.store(),
            name,
            workshop.id if workshop else None,
            self.personal_box.value,
            now=datetime.now(UTC),
        )
        self.personal_box.value = ""
        if result.trainee is None:
            if result.problem == "wait":
                minutes = max(1, (result.wait_seconds + 59) // 60)
                text = (
                    f"Too many wrong personal codes for '{name}'. Try again in {minutes} "
                    "minute" + ("s" if minutes != 1 else "") + ", or choose another name."
                )
            else:
                text = _PROBLEMS[result.problem or "code needed"].format(name=name)
            self.status.value = message(text, "error")
            return None
        self.on_signed_in(result.trainee, workshop, result.new_code)
        return result.trainee


def personal_code_notice(code: str) -> str:
    """The one time a trainee is shown their personal code."""
    return (
        "<div class='et-message et-code-notice' role='status'>Your personal code is "
        f"<strong class='et-code'>{escape(code)}</strong>. Write it down: with your name it "
        "brings back your history, here or on another device, and nobody can use your name "
        "without it.</div>"
    )
