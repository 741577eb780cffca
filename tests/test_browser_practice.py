"""The practice app in Voila and a real headless Chromium, as a trainee uses it."""

from __future__ import annotations

from pathlib import Path

import pytest

from browser import chromium, chromium_available, screenshot, served, wait_for_images

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian's chromium is not installed"),
]

XSS = "<img src=x onerror=alert(1)>"
RESPONSE = "You're fed up that your knee keeps you from the allotment you love."


def sign_in(page, url: str, name: str, code: str = "") -> str:  # type: ignore[no-untyped-def]
    """Sign in; a new trainee (no `code`) gets back the personal code the page showed."""
    page.goto(url)
    page.get_by_label("Your name").fill(name, timeout=60_000)
    if code:
        page.get_by_label("Personal code (if you have one)").fill(code)
    page.get_by_role("button", name="Start practising").click()
    page.get_by_text("Your response").first.wait_for(timeout=60_000)
    if code:
        return ""
    shown = page.locator(".et-code")  # a new trainee is shown their personal code once
    shown.wait_for(timeout=60_000)
    return str(shown.inner_text())


def test_trainee_submits_sees_feedback_and_history_survives_a_restart(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'practice.db'}"
    dialogs: list[str] = []
    with served(db) as base, chromium() as browser:
        url = f"{base}practice"
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        code = sign_in(page, url, f"Sam {XSS}")
        assert code, "a new trainee is shown a personal code"
        screenshot(page, "practice-1-vignette")

        box = page.get_by_label("Your response")
        page.get_by_role("button", name="Submit").click()
        page.get_by_text("Type a response first").wait_for()

        box.fill(f"{RESPONSE} {XSS}")
        page.get_by_role("button", name="Submit").click()
        page.get_by_text("of 5").first.wait_for(timeout=60_000)
        page.get_by_text("Saved.").wait_for()
        feedback = page.get_by_role("region", name="Feedback")
        assert XSS in feedback.inner_text()  # shown as text, not as an element
        assert page.locator("img[src='x']").count() == 0
        screenshot(page, "practice-2-feedback", feedback)

        page.get_by_role("button", name="Show model responses").click()
        exemplars = page.get_by_role("region", name="Model responses")
        exemplars.wait_for()
        screenshot(page, "practice-3-model-responses", exemplars)

        box.fill("x" * 100_000)
        page.get_by_role("button", name="Submit").click()
        page.get_by_text("the limit is").wait_for()
        assert len(box.input_value()) == 100_000

        page.close(run_before_unload=True)

    with served(db) as base, chromium() as browser:  # the server was stopped and started again
        url = f"{base}practice"
        again = browser.new_page(viewport={"width": 1280, "height": 720})
        again.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        sign_in(again, url, f"sam {XSS}", code)  # any case, with the personal code
        again.get_by_text("Welcome back").wait_for()
        again.get_by_role("tab", name="My progress").click()
        again.get_by_text("1 attempt on 1 vignette").wait_for(timeout=60_000)
        again.get_by_role("img").first.wait_for()
        wait_for_images(again)
        screenshot(again, "practice-4-progress")

        other = browser.new_page(viewport={"width": 390, "height": 844})
        sign_in(other, url, "Alex")
        other.get_by_role("tab", name="My progress").click()
        other.get_by_text("No attempts yet").wait_for(timeout=60_000)
        screenshot(other, "practice-5-phone")
        assert dialogs == []


def tab_to(page, label: str, limit: int = 25) -> None:  # type: ignore[no-untyped-def]
    """Press Tab until the element named `label` has the focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        focused = page.evaluate(
            """() => {
                const e = document.activeElement;
                if (!e) return "";
                const label = e.id ? document.querySelector(`label[for="${e.id}"]`) : null;
                return (label ? label.textContent : "") + "|" + (e.textContent || "");
            }"""
        )
        if label in focused:
            return
    raise AssertionError(f"Tab never reached {label!r}")


def test_keyboard_alone_is_enough(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'keyboard.db'}"
    with served(db) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        page.goto(f"{base}practice")
        page.get_by_label("Your name").wait_for(timeout=60_000)
        tab_to(page, "Your name")
        page.keyboard.type("Kim")
        tab_to(page, "Start practising")
        page.keyboard.press("Enter")
        page.get_by_label("Your response").wait_for(timeout=60_000)
        tab_to(page, "Your response")
        page.keyboard.type("You're confused by all these different inhalers.")
        tab_to(page, "Submit")
        page.keyboard.press("Enter")
        page.get_by_role("region", name="Feedback").get_by_text("of 5").wait_for(timeout=60_000)
        screenshot(page, "practice-6-keyboard")


def test_model_responses_say_what_to_do_beyond_listening(tmp_path: Path) -> None:
    with served(f"sqlite:///{tmp_path / 'practice.db'}") as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        sign_in(page, f"{base}practice", "Ana")
        page.get_by_label("Module", exact=True).select_option(label="Strong emotion")
        page.get_by_label("Vignette", exact=True).select_option(
            label="Six hours with a feverish toddler"
        )
        page.get_by_text("39.8 at triage").first.wait_for(timeout=60_000)
        page.get_by_label("Your response").fill("You're frightened because he's so quiet.")
        page.get_by_role("button", name="Submit").click()
        page.get_by_text("of 5").first.wait_for(timeout=60_000)
        page.get_by_role("button", name="Show model responses").click()
        exemplars = page.get_by_role("region", name="Model responses")
        exemplars.get_by_role("heading", name="Beyond listening").wait_for(timeout=60_000)
        assert "triage nurse to see him again now" in exemplars.inner_text()
        screenshot(page, "practice-4-beyond-listening", exemplars)


def test_a_feeling_that_does_not_fit_is_explained(tmp_path: Path) -> None:
    # The first vignette's client is fed up; telling them they sound happy is no reflection.
    db = f"sqlite:///{tmp_path / 'practice.db'}"
    with served(db) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 720})
        sign_in(page, f"{base}practice", "Robin")
        page.get_by_label("Your response").fill("You sound happy.")
        page.get_by_role("button", name="Submit").click()
        page.get_by_text("of 5").first.wait_for(timeout=60_000)
        feedback = page.get_by_role("region", name="Feedback")
        shown = feedback.inner_text()
        assert "You named 'happy', which does not fit what the client told you" in shown
        assert "5 of 5" not in shown and "3 of 5" not in shown
        screenshot(page, "practice-7-feeling-that-does-not-fit", feedback)


def test_a_promise_of_secrecy_is_shown_as_a_safety_error(tmp_path: Path) -> None:
    # A young person hints at self-harm; promising to keep it secret is never credited, and the
    # card says why the level is 1 instead of calling it a roadblock.
    db = f"sqlite:///{tmp_path / 'practice.db'}"
    with served(db) as base, chromium() as browser:
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        sign_in(page, f"{base}practice", "Alex")
        page.get_by_label("Module", exact=True).select_option(label="Risk and disclosure")
        page.get_by_label("Vignette", exact=True).select_option(label="The hoodie in July")
        page.get_by_text("Miss Okoye").first.wait_for(timeout=60_000)
        page.get_by_label("Your response").fill(
            "Everything you say in here is confidential. When home gets loud you need "
            "something that makes it stop."
        )
        page.get_by_role("button", name="Submit").click()
        page.get_by_text("of 5").first.wait_for(timeout=60_000)
        feedback = page.get_by_role("region", name="Feedback")
        shown = feedback.inner_text()
        assert "1 of 5" in shown
        assert "A safety error: the response could add to the risk" in shown
        assert "promises to keep harm secret" in shown
        assert "Roadblock without reflection" not in shown
        screenshot(page, "practice-8-safety-error", feedback)
