"""Pages hold kernels: a closed page gives its kernel back, and a full room says so."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

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
        url = f"{base}voila/render/practice.ipynb"
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
