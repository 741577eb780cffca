"""Starting the real server and a real headless Chromium for browser tests."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from empathy_training.serve import wait_until_ready

#: Debian's Chromium; Playwright cannot download its own browser here.
CHROMIUM = os.environ.get("EMPATHY_TRAINING_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
#: Screenshots of what users see, kept as test artifacts.
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts" / "screenshots"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_processes(port: int) -> tuple[list[int], list[int]]:
    """The Voila server listening on `port`: its pids (none once stopped) and its kernels'."""
    table: dict[int, tuple[int, str]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        table[int(entry.name)] = (parent, command)
    voila = [
        pid
        for pid, (_, command) in table.items()
        if "empathy_training.voila_app" in command and f"--Voila.port={port}" in command
    ]
    kernels = [
        pid
        for pid, (parent, command) in table.items()
        if parent in voila and "ipykernel" in command
    ]
    return voila, kernels


def chromium_available() -> bool:
    return Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is not None


@contextmanager
def served(
    db_url: str,
    *extra: str,
    env: dict[str, str] | None = None,
    output: Path | None = None,
    port: int | None = None,
) -> Iterator[str]:
    """Run `empathy-training serve` on `port` (default: a free one); yield its base URL.

    With `output`, what the server prints goes to that file (see `printed`).
    """
    port = port or free_port()
    command = [
        sys.executable,
        "-m",
        "empathy_training",
        "serve",
        "--no-browser",
        "--port",
        str(port),
        "--db",
        db_url,
        *extra,
    ]
    log = output.open("w", encoding="utf-8") if output is not None else subprocess.DEVNULL
    process = subprocess.Popen(
        command,
        env={**os.environ, **(env or {})},
        stdout=log,
        stderr=log,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_until_ready(base)
        yield base
    finally:
        os.killpg(process.pid, 2)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, 9)
            process.wait()
        voila, kernels = server_processes(port)
        for pid in [*voila, *kernels]:  # a slow stop must not outlive the test
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, 9)
        if output is not None:
            log.close()  # type: ignore[union-attr]


def printed(output: Path, until: str = "Press Ctrl+C", timeout: float = 60.0) -> str:
    """What a server started with `served(..., output=...)` printed, once it printed `until`."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        text = output.read_text(encoding="utf-8") if output.exists() else ""
        if until in text:
            return text
        time.sleep(0.1)
    raise AssertionError(f"the server did not print {until!r}: {text!r}")


@contextmanager
def chromium() -> Iterator[Any]:
    """A Playwright browser on Debian's Chromium."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


def screenshot(page: Any, name: str, locator: Any = None) -> Path:
    """Save what the user sees: the viewport, or one element scrolled into view."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    if locator is not None:
        locator.scroll_into_view_if_needed()
        locator.screenshot(path=str(path))
    else:
        page.screenshot(path=str(path))
    return path


def wait_for_images(page: Any) -> None:
    """Wait until every image on the page has loaded and has a size."""
    page.wait_for_function(
        "() => [...document.images].every(i => i.complete && i.naturalWidth > 0)",
        timeout=60_000,
    )
