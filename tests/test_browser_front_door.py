"""What a user meets first, and what survives a restarted server, in a real headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser import chromium, chromium_available, free_port, screenshot, served

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian's chromium is not installed"),
]

DRAFT = "It sounds like the stairs have taken the allotment from you, and"


def _foreign(base: str, requests: list[str]) -> list[str]:
    """Requests to anywhere but the server (inline data and blobs are local)."""
    return [u for u in requests if not u.startswith((base, "data:", "blob:"))]


def test_the_front_door_names_the_apps_and_every_page_is_served_locally(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'front.db'}"
    with served(db, env={"EMPATHY_TRAINING_PREHEAT": "0"}) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        requests: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.goto(base)
        text = page.inner_text("body")
        assert {"Practise", "Run a workshop", "Grade written responses"} <= set(
            page.locator("a.app strong").all_inner_texts()
        )
        links = page.locator("a").evaluate_all("links => links.map(a => a.href)")
        assert ".ipynb" not in text and not any(".ipynb" in link for link in links)
        screenshot(page, "front-door-1280")
        page.goto(f"{base}voila/tree/")  # Voila's file list is not shown
        assert page.url == base and "Select items" not in page.inner_text("body")

        page.goto(base)
        page.get_by_role("link", name="Practise").click()
        page.get_by_label("Your name").wait_for(timeout=60_000)
        assert page.url == f"{base}practice" and ".ipynb" not in page.title()
        for app, ready in (
            ("dashboard", "Supervisor passcode"),
            ("grading", "Supervisor passcode"),
        ):
            page.goto(f"{base}{app}")
            page.get_by_text(ready).first.wait_for(timeout=60_000)
        assert _foreign(base, requests) == []


def test_a_typed_draft_survives_a_restarted_server(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'drafts.db'}"
    port = free_port()
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        with served(db, port=port) as base:
            page.goto(f"{base}practice")
            page.get_by_label("Your name").fill("Sam", timeout=60_000)
            page.get_by_label("Your name").press("Enter")  # Enter signs in
            page.get_by_label("Your response").wait_for(timeout=60_000)
            code = page.locator(".et-code").inner_text()
            page.get_by_label("Your response").fill(DRAFT)
            page.wait_for_timeout(500)
        # The server has stopped: the page says so instead of silently doing nothing.
        page.get_by_text("The connection to the server was lost").wait_for(timeout=60_000)
        assert "et-offline" in (page.get_attribute("body", "class") or "")
        assert page.get_by_label("Your response").input_value() == DRAFT
        screenshot(page, "connection-lost")
        with served(db, port=port):
            page.get_by_role("button", name="Reload").click(timeout=60_000)
            page.get_by_label("Your name").fill("sam", timeout=60_000)
            page.get_by_label("Personal code (if you have one)").fill(code)
            page.get_by_role("button", name="Start practising").click()
            box = page.get_by_label("Your response")
            box.wait_for(timeout=60_000)
            page.wait_for_function(
                "() => document.querySelector('.et-draft textarea').value.length > 0",
                timeout=60_000,
            )
            assert box.input_value() == DRAFT
            page.get_by_role("button", name="Submit").click()
            page.get_by_text("Saved.").wait_for(timeout=60_000)  # the kernel has the text too
