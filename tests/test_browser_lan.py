"""The join URL from a server on a network of its own (a network namespace), reached from here."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from empathy_training.storage import Store

from browser import chromium, chromium_available, free_port, printed

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not chromium_available(), reason="Debian's chromium is not installed"),
    pytest.mark.skipif(
        os.geteuid() != 0 or shutil.which("ip") is None,
        reason="making test networks (ip netns, veth) needs root and iproute2",
    ),
]

PASSCODE = "ward-4-supervisor"
URL = re.compile(r"Practice app \(trainees\): (\S+)")


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True, timeout=30)


@contextmanager
def room_network(subnet: int, *, address: bool = True, default_route: bool = True) -> Iterator[str]:
    """A network namespace for the "server" joined to this machine by a veth pair.

    This machine is 10.213.<subnet>.1 (a phone in the room); the namespace is .2, with a
    default route through .1 if asked, or only loopback without `address`. Yields its name.
    """
    name = f"et-{uuid.uuid4().hex[:8]}"
    outside, inside = f"{name}-o", f"{name}-i"
    try:
        _ip("netns", "add", name)
    except subprocess.CalledProcessError as exc:
        pytest.skip(f"network namespaces are not allowed here: {exc.stderr!r}")
    try:
        _ip("netns", "exec", name, "ip", "link", "set", "lo", "up")
        if address:
            _ip("link", "add", outside, "type", "veth", "peer", "name", inside)
            _ip("link", "set", inside, "netns", name)
            _ip("addr", "add", f"10.213.{subnet}.1/24", "dev", outside)
            _ip("link", "set", outside, "up")
            _ip("netns", "exec", name, "ip", "addr", "add", f"10.213.{subnet}.2/24", "dev", inside)
            _ip("netns", "exec", name, "ip", "link", "set", inside, "up")
            if default_route:
                _ip("netns", "exec", name, "ip", "route", "add", "default", "via",
                    f"10.213.{subnet}.1")  # fmt: skip
        yield name
    finally:
        subprocess.run(["ip", "link", "del", outside], capture_output=True, check=False)
        subprocess.run(["ip", "netns", "del", name], capture_output=True, check=False)


@contextmanager
def serve_in(namespace: str, db: str, output: Path, *extra: str) -> Iterator[int]:
    """`serve --host 0.0.0.0` inside the namespace; yields its port once it printed its URLs."""
    port = free_port()
    command = [
        "ip", "netns", "exec", namespace, sys.executable, "-m", "empathy_training", "serve",
        "--no-browser", "--host", "0.0.0.0", "--port", str(port), "--db", db, *extra,
    ]  # fmt: skip
    with output.open("w", encoding="utf-8") as log:
        process = subprocess.Popen(
            command,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "EMPATHY_TRAINING_PREHEAT": "0"},
            start_new_session=True,
        )
        try:
            printed(output, timeout=120)
            yield port
        finally:
            os.killpg(process.pid, signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def test_a_phone_in_the_room_opens_the_printed_url_and_the_dashboard_shows_it(
    tmp_path: Path,
) -> None:
    db = f"sqlite:///{tmp_path / 'lan.db'}"
    output = tmp_path / "serve.txt"
    with (
        room_network(71) as namespace,
        serve_in(namespace, db, output, "--passcode", PASSCODE, "--workshop", "Ward 4") as port,
    ):
        text = output.read_text(encoding="utf-8")
        match = URL.search(text)
        assert match, text
        trainee_url = match.group(1)
        assert trainee_url == f"http://10.213.71.2:{port}/practice"
        assert "127.0." not in text and "Warning" not in text
        (workshop,) = Store(db).workshops()
        with chromium() as browser:  # this machine is the phone: it reaches the room's network
            phone = browser.new_context(viewport={"width": 390, "height": 844}).new_page()
            phone.goto(trainee_url)
            phone.get_by_label("Your name").fill("Ana", timeout=90_000)
            phone.get_by_label("Workshop code (optional)").fill(workshop.join_code)
            phone.get_by_role("button", name="Start practising").click()
            phone.get_by_text("You are in the workshop 'Ward 4'").wait_for(timeout=30_000)

            dashboard = browser.new_page(viewport={"width": 1280, "height": 800})
            dashboard.goto(trainee_url.replace("/practice", "/dashboard"))
            dashboard.get_by_label("Supervisor passcode").fill(PASSCODE, timeout=90_000)
            dashboard.get_by_role("button", name="Unlock").click()
            join_bar = dashboard.get_by_role("region", name="How to join")
            join_bar.get_by_text(trainee_url).wait_for(timeout=30_000)
            assert join_bar.locator("svg").count() == 1  # the QR code of that URL
            dashboard.get_by_role("button", name="Projector view").click()
            dashboard.get_by_role("region", name="Projector").get_by_text(trainee_url).wait_for(
                timeout=60_000
            )


def test_without_a_default_route_the_interface_address_is_used(tmp_path: Path) -> None:
    output = tmp_path / "serve.txt"
    db = f"sqlite:///{tmp_path / 'lan.db'}"
    with (
        room_network(72, default_route=False) as namespace,
        serve_in(namespace, db, output) as port,
    ):
        text = output.read_text(encoding="utf-8")
    assert f"Practice app (trainees): http://10.213.72.2:{port}/" in text
    assert "Warning" not in text


def test_only_loopback_is_a_clear_warning_and_public_url_overrides(tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'lan.db'}"
    alone, given = tmp_path / "alone.txt", tmp_path / "given.txt"
    with room_network(73, address=False) as namespace:
        with serve_in(namespace, db, alone):
            text = alone.read_text(encoding="utf-8")
        assert "Warning: this machine has no network address but 127.0.0.1" in text
        assert "phones in the room cannot reach it" in text and "--public-url" in text
        public = "https://ward4.example.org/training"
        with serve_in(namespace, db, given, "--public-url", public):
            text = given.read_text(encoding="utf-8")
        assert f"Practice app (trainees): {public}/practice" in text
        assert "Warning" not in text
