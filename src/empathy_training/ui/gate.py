"""The supervisor passcode prompt in front of the dashboard and the grading app."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

import ipywidgets as widgets

from ..lockout import FREE_TRIES, WINDOW, wait_seconds
from ..passcode import SettingStore, check_passcode, has_passcode
from .callbacks import guarded
from .cards import message

log = logging.getLogger(__name__)

#: Wrong passcodes from one device, on any page, before each further try must wait.
MAX_PASSCODE_TRIES = FREE_TRIES
#: Environment variable in which the server hands a page's kernel the device's address.
CLIENT_ENV = "HTTP_X_EMPATHY_CLIENT"


class GateStore(SettingStore, Protocol):
    """The part of `storage.Store` the gate uses."""

    def record_failure(self, subject: str, at: datetime | None = None) -> None:
        """Note a failed check at `at` (default: now)."""

    def failures_since(self, subject: str, since: datetime) -> list[datetime]:
        """Failed checks of `subject` since `since`."""


class PasscodeGate:
    """Asks for the supervisor passcode; calls `on_unlock` once, when it checks.

    `app` names the app in messages ("This dashboard", "Grading"); `shows` says what the
    passcode protects; `unlocked_message` is shown once the app is open. Wrong passcodes are
    logged and counted per device across every page and reload (see `lockout`).
    """

    def __init__(
        self,
        store: GateStore,
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
        self.client = os.environ.get(CLIENT_ENV) or "unknown device"
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
        self.passcode_box.observe(self._on_typing, names="value")
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

    def _on_typing(self, change: dict[str, Any]) -> None:
        if change["new"] and not self.unlocked:
            self.unlock_button.disabled = False  # the wait is checked again on the next try

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
        subject = f"passcode:{self.client}"
        wait = self._wait(subject)
        if wait:
            self._say_wait(wait)
            return False
        if not check_passcode(self.store, passcode):
            self.store.record_failure(subject)
            log.warning("a wrong supervisor passcode was typed on %s (%s)", self.app, self.client)
            wait = self._wait(subject)
            if wait:
                self._say_wait(wait)
            else:
                self.status.value = message("That is not the supervisor passcode.", "error")
            return False
        self.unlocked = True
        self.unlock_button.disabled = False
        self.widget.layout.display = "none"
        self.widget.children = ()
        self.status.value = message(self.unlocked_message, "ok")
        self.on_unlock()
        return True

    def _wait(self, subject: str) -> int:
        now = datetime.now(UTC)
        return wait_seconds(self.store.failures_since(subject, now - WINDOW), now)

    def _say_wait(self, seconds: int) -> None:
        minutes = (seconds + 59) // 60
        when = f"{seconds} seconds" if seconds < 90 else f"{minutes} minutes"
        self.status.value = message(
            f"Too many wrong passcodes from this device. Try again in {when}.", "error"
        )
        self.unlock_button.disabled = True


class GatedApp:
    """An app behind the supervisor passcode: a status line, the gate, and a main area that
    the app fills once the passcode checks (`passcode_gate`'s `on_unlock`)."""

    passcode_gate: PasscodeGate

    def _behind(self, gate: PasscodeGate, style: str) -> None:
        """Lay the app out behind `gate`, with `style` (a <style> block) at the top."""
        self.passcode_gate = gate
        self.status = gate.status
        self.passcode_box = gate.passcode_box
        self.unlock_button = gate.unlock_button
        self.gate = gate.widget
        self.main = widgets.VBox([])  # filled by the app once the passcode checks
        self.widget = widgets.VBox([widgets.HTML(style), self.status, self.gate, self.main])

    @property
    def unlocked(self) -> bool:
        """Whether the passcode has been given."""
        return self.passcode_gate.unlocked

    def unlock(self, passcode: str) -> bool:
        """Open the app if `passcode` is the supervisor passcode."""
        return self.passcode_gate.unlock(passcode)
