"""The supervisor passcode prompt in front of the dashboard and the grading app."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as widgets

from ..passcode import SettingStore, check_passcode, has_passcode
from .callbacks import guarded
from .cards import message

#: Wrong passcodes a page accepts before its gate stays shut (reload to try again).
MAX_PASSCODE_TRIES = 5


class PasscodeGate:
    """Asks for the supervisor passcode; calls `on_unlock` once, when it checks.

    `app` names the app in messages ("This dashboard", "Grading"); `shows` says what the
    passcode protects; `unlocked_message` is shown once the app is open.
    """

    def __init__(
        self,
        store: SettingStore,
        *,
        app: str,
        shows: str,
        unlocked_message: str,
        on_unlock: Callable[[], None],
    ) -> None:
        self.store = store
        self.app = app
        self.unlocked_message = unlocked_message
        self.on_unlock = on_unlock
        self.unlocked = False
        self.failed_tries = 0
        self.status = widgets.HTML()
        self.passcode_box = widgets.Password(
            description="Supervisor passcode",
            style={"description_width": "initial"},
            layout=widgets.Layout(width="auto", flex="0 1 22rem", min_width="0"),
        )
        self.unlock_button = widgets.Button(description="Unlock", button_style="primary")
        self.widget = widgets.VBox(
            [
                widgets.HTML(
                    f"<p>{shows} Type the supervisor passcode the server was started with.</p>"
                ),
                widgets.HBox(
                    [self.passcode_box, self.unlock_button],
                    layout=widgets.Layout(flex_flow="row wrap"),
                ),
            ]
        )
        self.unlock_button.on_click(self._on_unlock)
        self.passcode_box.on_submit(self._on_unlock)
        if not has_passcode(store):
            self._show_no_passcode()

    def _show_no_passcode(self) -> None:
        self.widget.layout.display = "none"
        self.status.value = message(
            f"{self.app} is locked: no supervisor passcode was set. Stop the server and start "
            "it again with a passcode, e.g. empathy-training serve --passcode 'a passcode of "
            "your own'.",
            "error",
        )

    def _on_unlock(self, _: Any = None) -> None:
        @guarded(lambda: self.status)
        def run() -> None:
            attempt = self.passcode_box.value
            self.passcode_box.value = ""
            self.unlock(attempt)

        run()

    def unlock(self, passcode: str) -> bool:
        """Open the app if `passcode` is the supervisor passcode."""
        if self.unlocked:
            return True
        if not has_passcode(self.store):
            self._show_no_passcode()
            return False
        if not passcode:
            self.status.value = message("Type the supervisor passcode first.", "hint")
            return False
        if self.failed_tries >= MAX_PASSCODE_TRIES:
            self.status.value = message(
                "Too many wrong passcodes. Reload the page to try again.", "error"
            )
            return False
        if not check_passcode(self.store, passcode):
            self.failed_tries += 1
            left = MAX_PASSCODE_TRIES - self.failed_tries
            self.status.value = message(
                "That is not the supervisor passcode."
                + (f" {left} tr{'ies' if left != 1 else 'y'} left." if left else ""),
                "error",
            )
            if not left:
                self.unlock_button.disabled = True
            return False
        self.unlocked = True
        self.widget.layout.display = "none"
        self.widget.children = ()
        self.status.value = message(self.unlocked_message, "ok")
        self.on_unlock()
        return True
