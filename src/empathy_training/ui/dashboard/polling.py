"""A background thread that calls a refresh every few seconds and survives its failures."""

from __future__ import annotations

import threading
from collections.abc import Callable

from ..callbacks import log


class Poller:
    """Calls `refresh` every `seconds` until stopped; a failure is reported once, then retried.

    `failed(exc)` is called when refreshing starts failing, `recovered()` when it works again.
    """

    def __init__(
        self,
        refresh: Callable[[], object],
        seconds: float,
        *,
        failed: Callable[[Exception], None],
        recovered: Callable[[], None],
    ) -> None:
        self.refresh = refresh
        self.seconds = seconds
        self.failed = failed
        self.recovered = recovered
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        """Whether the thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        """Start the thread (once; not at all when `seconds` is 0 or less)."""
        if self.seconds <= 0 or self.running:
            return
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="dashboard-refresh", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the thread and wait for it to end."""
        self._stopping.set()
        thread = self._thread
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)
        self._thread = None

    def _run(self) -> None:
        failing = False
        while not self._stopping.wait(self.seconds):
            try:
                self.refresh()
            except Exception as exc:  # keep polling: the database may come back
                if not failing:
                    log.exception("the dashboard could not read new submissions")
                    self.failed(exc)
                failing = True
            else:
                if failing:
                    self.recovered()
                failing = False
