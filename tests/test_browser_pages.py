"""Pages hold kernels: a closed page gives its kernel back, a full room says so, and wrong
passcodes are counted per device across pages."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from empathy_training.storage import Store
from empathy_training.voila_app import MAX_PAGES_ENV

from browser import chromium, chromium_available, served, server_processes

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian's chromium is not installed"),
]


def _kernels(port: int) -> int:
    return len(server_processes(port)[1])


def _wait_for(condition, seconds: float = 30) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.25)
    return False


def test_a_closed_page_frees_its_kernel_and_a_full_room_says_so(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'pages.db'}"
    with served(db, env={MAX_PAGES_ENV: "1"}) as base, chromium() as browser:
        port = int(base.rsplit(":", 1)[1].strip("/"))
        url = f"{base}practice"
        assert _wait_for(lambda: _kernels(port) == 2), "two preheated kernels wait"
        page = browser.new_page()
        page.goto(url)
        page.get_by_label("Your name").wait_for(timeout=60_000)
        assert _wait_for(lambda: _kernels(port) == 3), "the pool refills behind the page"

        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(url, timeout=30)
        assert refused.value.code == 503
        assert "The room is full" in refused.value.read().decode()

        page.goto("about:blank")  # leaving the page sends Voila's shutdown beacon
        page.close(run_before_unload=True)
        assert _wait_for(lambda: _kernels(port) == 2), "the closed page's kernel is shut down"
        assert _wait_for(lambda: _renders(url), 60), "the freed place can be taken again"


def _renders(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=60) as reply:
            return bool(reply.status == 200)
    except urllib.error.HTTPError as exc:
        assert exc.code == 503  # the server may still be letting go of the closed page
        return False


def test_wrong_passcodes_are_counted_across_reloads(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'gate.db'}"
    passcode = tmp_path / "passcode"
    passcode.write_text("tea-and-biscuit\n")
    extra = ("--passcode-file", str(passcode))
    with served(db, *extra, env={"EMPATHY_TRAINING_PREHEAT": "0"}) as base, chromium() as browser:
        page = browser.new_page()
        for _ in range(5):
            page.goto(f"{base}grading")  # a reload gives a new kernel each time
            page.get_by_label("Supervisor passcode").fill("wrong", timeout=60_000)
            page.get_by_label("Supervisor passcode").press("Enter")
            page.get_by_text("not the supervisor passcode").or_(
                page.get_by_text("Too many wrong passcodes")
            ).first.wait_for(timeout=60_000)
        page.goto(f"{base}dashboard")  # another app, the same device
        page.get_by_label("Supervisor passcode").fill("tea-and-biscuit", timeout=60_000)
        page.get_by_label("Supervisor passcode").press("Enter")
        page.get_by_text("Too many wrong passcodes from this device").wait_for(timeout=60_000)
    # The server told each page's kernel which device asked: the count is this browser's.
    since = datetime.now(UTC) - timedelta(hours=1)
    assert len(Store(db).failures_since("passcode:127.0.0.1", since)) == 5
