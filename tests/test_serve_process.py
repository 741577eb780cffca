"""`serve` as a process: the passcode kept out of `ps`, TERM stops everything, private files."""

from __future__ import annotations

import os
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from empathy_training.passcode import has_passcode
from empathy_training.serve import port_is_free, wait_until_ready
from empathy_training.storage import Store

from browser import free_port, server_processes


def _voila_pids(port: int) -> list[int]:
    return server_processes(port)[0]


@pytest.mark.browser
def test_term_stops_voila_and_the_passcode_file_stays_out_of_ps(tmp_path: Path) -> None:
    secret = "correct horse battery staple"
    passcode_file = tmp_path / "passcode.txt"
    passcode_file.write_text(secret + "\n", encoding="utf-8")
    db = tmp_path / "serve.db"
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "empathy_training",
            "serve",
            "--no-browser",
            "--port",
            str(port),
            "--db",
            f"sqlite:///{db}",
            "--passcode-file",
            str(passcode_file),
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        wait_until_ready(f"http://127.0.0.1:{port}/")
        voila = _voila_pids(port)
        assert voila, "Voila runs"
        for pid in [process.pid, *voila]:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            assert secret not in command
        store = Store(f"sqlite:///{db}")
        try:
            assert has_passcode(store)
        finally:
            store.close()
        process.send_signal(signal.SIGTERM)  # the serve process only, as a service manager does
        process.wait(timeout=30)
        deadline = time.monotonic() + 20
        while _voila_pids(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _voila_pids(port) == []
        assert port_is_free("127.0.0.1", port)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        for pid in _voila_pids(port):
            os.kill(pid, signal.SIGKILL)


def _ignore_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)


@pytest.mark.browser
def test_ctrl_c_stops_a_server_started_with_sigint_ignored(tmp_path: Path) -> None:
    # A job put in the background by a shell script starts with SIGINT ignored.
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "empathy_training", "serve", "--no-browser", "--port", str(port),
         "--db", f"sqlite:///{tmp_path / 'serve.db'}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        preexec_fn=_ignore_sigint,
    )  # fmt: skip
    try:
        wait_until_ready(f"http://127.0.0.1:{port}/")
        assert _voila_pids(port), "Voila runs"
        os.killpg(process.pid, signal.SIGINT)  # Ctrl+C in the terminal that started it
        process.wait(timeout=30)
        deadline = time.monotonic() + 20
        while _voila_pids(port) and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _voila_pids(port) == []
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
        for pid in _voila_pids(port):
            os.kill(pid, signal.SIGKILL)


def test_an_empty_passcode_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("\n", encoding="utf-8")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "empathy_training",
            "serve",
            "--no-browser",
            "--db",
            f"sqlite:///{tmp_path / 'x.db'}",
            "--passcode-file",
            str(empty),
        ],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode != 0 and "holds no passcode" in result.stderr


def test_a_new_sqlite_database_is_readable_by_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "new-folder" / "attempts.db"
    store = Store(f"sqlite:///{path}")
    try:
        store.trainee("Sam")  # something is written
    finally:
        store.close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
