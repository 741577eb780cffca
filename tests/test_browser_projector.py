"""The projector and the overview in a real browser: full screen, large type, one screen."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from empathy_training.loading import load_library
from empathy_training.scoring import score_response
from empathy_training.storage import Store

from browser import chromium, chromium_available, screenshot, served, wait_for_images

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian's chromium is not installed"),
]

PASSCODE = "ward-4-supervisor"
#: The seeded room: 40 trainees with different names.
NAMES = [f"{first} {n // 4 + 1:02d}" for n, first in enumerate(["Ana", "Ben", "Cai", "Dee"] * 10)]
SCREEN_GEOMETRY = """() => {
  const s = document.querySelector('.et-projector-screen').getBoundingClientRect();
  const slide = document.querySelector('.et-slide');
  const item = slide.querySelector('li') || slide;
  return {x: s.x, y: s.y, width: s.width, height: s.height,
          innerWidth: window.innerWidth, innerHeight: window.innerHeight,
          font: parseFloat(getComputedStyle(item).fontSize),
          overflowX: slide.scrollWidth > slide.clientWidth + 1,
          covered: [[10, 10], [innerWidth / 2, 40], [innerWidth - 40, innerHeight - 10]]
            .every(([x, y]) => !!document.elementFromPoint(x, y)
                 .closest('.et-projector-screen'))};
}"""


def unlocked_dashboard(browser: Any, base: str, width: int, height: int) -> Any:
    page = browser.new_context(viewport={"width": width, "height": height}).new_page()
    page.goto(f"{base}dashboard")
    page.get_by_label("Supervisor passcode").fill(PASSCODE, timeout=60_000)
    page.get_by_role("button", name="Unlock").click()
    page.get_by_role("region", name="How to join").wait_for(timeout=60_000)
    return page


def assert_clean_full_screen(page: Any, min_font: float) -> str:
    """The projector covers the window, shows no supervisor control; its text."""
    geometry = page.evaluate(SCREEN_GEOMETRY)
    assert (geometry["x"], geometry["y"]) == (0, 0)
    assert geometry["width"] == geometry["innerWidth"]
    assert geometry["height"] == geometry["innerHeight"]
    assert geometry["covered"], "the notebook's heading and the dashboard are covered"
    assert geometry["font"] >= min_font, geometry
    assert not geometry["overflowX"]
    for control in ("End workshop", "Release model responses to the room", "Projector view"):
        assert page.get_by_role("button", name=control).is_hidden()
    assert page.get_by_text("Unlocked").is_hidden()
    assert page.get_by_role("tab", name="Room").is_hidden()
    text: str = page.get_by_role("region", name="Projector").inner_text()
    return text


def seed(db: str, workshop_id: int, vignette_ids: list[str]) -> list[str]:
    """40 trainees join; most answer the first vignettes. Returns the texts answered."""
    store, library = Store(db), load_library()
    trainees = [store.trainee(name, workshop_id) for name in NAMES]
    answered = []
    for position, (vignette_id, count) in enumerate(
        zip(vignette_ids, (34, 25, 16, 8), strict=False)
    ):
        vignette = library.vignette(vignette_id)
        texts = [e.text for e in vignette.exemplars]
        for n, trainee in enumerate(trainees[:count]):
            text = texts[(n + position) % len(texts)]
            store.record_attempt(
                trainee.id,
                vignette_id=vignette_id,
                module_id=vignette.module_id,
                response=text,
                assessment=score_response(text, vignette=vignette),
                workshop_id=workshop_id,
            )
            answered.append(text)
    store.close()
    return answered


def test_projector_is_clean_and_full_screen_and_the_overview_fits_one_screen(
    tmp_path: Path,
) -> None:
    db = f"sqlite:///{tmp_path / 'projector.db'}"
    six = [v.id for v in load_library().modules[0].vignettes[:6]]
    args = ("--passcode", PASSCODE, "--workshop", "Ward 4 team", "--vignettes", ",".join(six))
    with served(db, *args) as base, chromium() as browser:
        (workshop,) = Store(db).workshops()
        page = unlocked_dashboard(browser, base, 1280, 800)

        # nobody has joined: the room is shown how to join, never "everyone has answered"
        page.get_by_role("button", name="Projector view").click()
        page.get_by_role("region", name="Projector").wait_for(timeout=60_000)
        text = assert_clean_full_screen(page, min_font=28)
        assert "Nobody has joined yet." in text and "Everyone" not in text
        assert workshop.join_code in text
        assert page.locator(".et-slide svg").is_visible()  # the QR code, large
        screenshot(page, "projector-join-1280")
        page.get_by_role("button", name="Back to dashboard").click()
        page.get_by_role("button", name="End workshop").wait_for(timeout=60_000)

        # 40 trainees, 6 vignettes: the whole overview fits on one screen beside the feed
        seed(db, workshop.id, six)
        page.get_by_text("40 trainees joined, 83 answers").wait_for(timeout=60_000)
        wait_for_images(page)
        table = page.locator(".et-overview table")
        assert table.locator("tr").count() == 7
        box = table.bounding_box()
        assert box is not None and box["y"] + box["height"] <= 800, box
        feed = page.locator(".et-feed").bounding_box()
        assert feed is not None and feed["x"] >= box["x"] + box["width"] - 1  # beside it
        screenshot(page, "dashboard-1280")

        page.get_by_role("tab", name="Projector").click()
        rows = page.locator(".et-projector-choice")
        rows.first.wait_for(timeout=60_000)
        texts = [t.strip() for t in rows.all_inner_texts()]
        other = next(i for i, t in enumerate(texts) if t != texts[0])  # two different answers
        chosen = [texts[0], texts[other]]
        rows.nth(0).locator("input").check()
        rows.nth(other).locator("input").check()
        page.get_by_text("2 of 34 ticked").wait_for(timeout=60_000)
        page.get_by_role("button", name="Projector view").click()
        page.get_by_text("34 of 40 have answered.").wait_for(timeout=60_000)
        projector = page.get_by_role("region", name="Projector")
        from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

        for response in chosen:  # the ticks reach the projector a moment after the click
            try:
                projector.get_by_text(response[:40]).first.wait_for(timeout=60_000)
            except PlaywrightTimeoutError as error:  # say what the room saw instead
                shown = " | ".join(projector.all_inner_texts())
                raise AssertionError(f"{response!r} not on the projector: {shown}") from error
        text = assert_clean_full_screen(page, min_font=28)
        for response in chosen:
            assert response in text
        for name in set(NAMES):
            assert name not in text
        screenshot(page, "projector-1280")

        phone = unlocked_dashboard(browser, base, 390, 844)
        phone.get_by_text("40 trainees joined, 83 answers").wait_for(timeout=60_000)
        phone.get_by_text("the workshop the server was started with").wait_for(timeout=60_000)
        overflow = phone.evaluate(
            "() => [...document.querySelectorAll('.et-overview')]"
            ".every(e => e.scrollWidth <= e.clientWidth + 1)"
        )
        assert overflow, "the overview fits the phone's width"
        screenshot(phone, "dashboard-390")
        phone.get_by_role("button", name="Projector view").click()
        phone.get_by_role("region", name="Projector").wait_for(timeout=60_000)
        text = assert_clean_full_screen(phone, min_font=20)
        assert "34 of 40 have answered." in text
        screenshot(phone, "projector-390")
