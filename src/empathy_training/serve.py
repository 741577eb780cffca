"""Serving the apps with Voila: the command line, readiness, and the URLs to share."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
import webbrowser
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from .errors import EmpathyTrainingError, InputError
from .lan import LanAddress, lan_address

#: Kernels idle this long with no page connected are shut down (a closed page's kernel).
CULL_IDLE_SECONDS = 600
#: How often the server looks for such kernels.
CULL_INTERVAL_SECONDS = 60
#: How long to wait for the server to answer before giving up.
STARTUP_TIMEOUT_SECONDS = 60
#: The notebook trainees open.
PRACTICE_NOTEBOOK = "practice.ipynb"
#: The supervisor's live dashboard.
DASHBOARD_NOTEBOOK = "dashboard.ipynb"
#: The grader's app.
GRADING_NOTEBOOK = "grading.ipynb"
#: Each app's address on the server, and its notebook.
APP_PAGES = {
    "practice": PRACTICE_NOTEBOOK,
    "dashboard": DASHBOARD_NOTEBOOK,
    "grading": GRADING_NOTEBOOK,
}
#: The Voila template the apps are served with: Voila's lab template with no CDN assets,
#: a lost-connection banner and drafts kept in the browser.
TEMPLATE = "empathy"
#: The only JupyterLab extensions the pages load: the widget managers (no code highlighting,
#: since no code is shown).
LAB_EXTENSIONS = ("@voila-dashboards/widgets-manager8", "@jupyter-widgets/jupyterlab-manager")
#: The Jupyter data folder that holds TEMPLATE.
TEMPLATE_ROOT = Path(__file__).parent / "share" / "jupyter"
#: Environment variable with the URL trainees open, shown as a QR code with the join code.
TRAINEE_URL_ENV = "EMPATHY_TRAINING_TRAINEE_URL"
#: Environment variable with the id of the workshop the dashboard opens by itself.
WORKSHOP_ENV = "EMPATHY_TRAINING_WORKSHOP"
#: Addresses meaning "every interface".
ANY_ADDRESS = ("0.0.0.0", "::", "")


@dataclass(frozen=True)
class ServerPlan:
    """Everything needed to start the server and tell people where to go."""

    command: tuple[str, ...]
    """The Voila command line."""
    env: dict[str, str]
    """Environment for the server and its kernels."""
    base_url: str
    """Where the server listens, as a URL."""

    def app_url(self, notebook: str, base_url: str | None = None) -> str:
        """The URL of one notebook's app, under `base_url` (default: where the server listens)."""
        base = base_url or self.base_url
        page = {nb: app for app, nb in APP_PAGES.items()}.get(notebook)
        return f"{base}{page}" if page else f"{base}voila/render/{notebook}"


@dataclass(frozen=True)
class SharedAddress:
    """The base URL to give people, and what they should know about it."""

    base_url: str
    """E.g. 'http://192.168.1.20:8866/', always ending in '/'."""
    warning: str = ""
    """Why other machines may not reach it; empty when they should."""
    note: str = ""
    """Something worth knowing (other addresses of the machine), or empty."""


def shared_address(
    host: str,
    port: int,
    *,
    public_url: str | None = None,
    find_lan: Callable[[], LanAddress] = lan_address,
) -> SharedAddress:
    """The base URL trainees' phones use: `public_url` if given, else the LAN address.

    Listening on every interface (`--host 0.0.0.0`), the address is the machine's address on
    the room's network, never a loopback address; with only loopback there is a warning.
    """
    if public_url:
        return SharedAddress(normalise_public_url(public_url))
    if host not in ANY_ADDRESS:
        if usable_host(host):
            return SharedAddress(f"http://{_url_host(host)}:{port}/")
        return SharedAddress(
            f"http://{_url_host(host)}:{port}/",
            note="Only this computer can open these. For a room, start with --host 0.0.0.0.",
        )
    lan = find_lan()
    if lan.address is None:
        return SharedAddress(
            f"http://127.0.0.1:{port}/",
            warning=(
                "this machine has no network address but 127.0.0.1, so phones in the room "
                "cannot reach it. Join the room's network (Wi-Fi or cable) and start again, "
                "or give the address people should use with --public-url."
            ),
        )
    note = ""
    if lan.others:
        others = ", ".join(lan.others)
        note = f"This machine also has the address(es) {others}; --public-url chooses another."
    return SharedAddress(f"http://{lan.address}:{port}/", note=note)


def normalise_public_url(url: str) -> str:
    """`url` checked (http or https, with a host) and ending in '/'."""
    parts = urllib.parse.urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(
            f"--public-url must be an http:// or https:// address with a host, not '{url}'."
        )
    path = parts.path if parts.path.endswith("/") else f"{parts.path}/"
    return urllib.parse.urlunsplit((parts.scheme, parts.netloc, path, "", ""))


def usable_host(host: str) -> bool:
    """Whether other machines could reach a server listening on `host`."""
    return (
        host not in ANY_ADDRESS
        and not host.startswith("127.")
        and host
        not in (
            "localhost",
            "::1",
        )
    )


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def notebooks_dir() -> Path:
    """The apps' notebooks folder of a source checkout."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[2] / "notebooks", here.parent / "notebooks"):
        if (candidate / PRACTICE_NOTEBOOK).is_file():
            return candidate
    raise EmpathyTrainingError("the notebooks folder with practice.ipynb was not found")


def plan(
    *,
    db_url: str,
    host: str = "127.0.0.1",
    port: int = 8866,
    preheat: bool = True,
    notebooks: Path | None = None,
) -> ServerPlan:
    """Build the Voila command: bound to `host`, kernels culled, practice kernels preheated.

    `voila.json` beside the notebooks sets the websocket limit for uploaded spreadsheets and
    how many kernels each notebook keeps preheated (only the practice app, which many open).
    """
    folder = notebooks or notebooks_dir()
    command = (
        sys.executable,
        "-m",
        "empathy_training.voila_app",
        str(folder),
        "--no-browser",
        f"--Voila.ip={host}",
        f"--Voila.port={port}",
        "--Voila.port_retries=0",
        "--theme=light",
        f"--template={TEMPLATE}",
        *(f"--VoilaConfiguration.extension_allowlist={name}" for name in LAB_EXTENSIONS),
        "--VoilaConfiguration.http_header_envs=X-Empathy-Client",
        "--strip_sources=True",
        "--show_tracebacks=False",
        f"--Voila.config_file_paths={folder}",
        f"--MappingKernelManager.cull_interval={CULL_INTERVAL_SECONDS}",
        f"--MappingKernelManager.cull_idle_timeout={CULL_IDLE_SECONDS}",
        "--MappingKernelManager.cull_connected=False",
        f"--preheat_kernel={preheat}",
    )
    env = dict(os.environ)
    env["EMPATHY_TRAINING_DB"] = db_url
    env["JUPYTER_PATH"] = os.pathsep.join(
        p for p in (str(TEMPLATE_ROOT), env.get("JUPYTER_PATH", "")) if p
    )
    env.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    display_host = "127.0.0.1" if host in ANY_ADDRESS else _url_host(host)
    return ServerPlan(command, env, f"http://{display_host}:{port}/")


def wait_until_ready(base_url: str, process: subprocess.Popen[bytes] | None = None) -> None:
    """Poll the static script (a notebook GET would start a kernel) until the server answers."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    probe = f"{base_url}voila/static/voila.js"
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise EmpathyTrainingError(
                f"the server stopped while starting (exit code {process.returncode}); "
                "is the port already in use?"
            )
        try:
            with urllib.request.urlopen(probe, timeout=2) as reply:
                if reply.status == 200:
                    return
        except OSError:
            time.sleep(0.25)
    raise EmpathyTrainingError(f"the server did not answer at {base_url} in time")


def port_is_free(host: str, port: int) -> bool:
    """Whether nothing listens on host:port yet."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return False
    return True


def run(
    *,
    db_url: str | None,
    host: str,
    port: int,
    open_browser: bool,
    passcode: str | None = None,
    workshop_name: str | None = None,
    module_ids: Sequence[str] = (),
    vignette_ids: Sequence[str] = (),
    public_url: str | None = None,
) -> int:
    """Start Voila, print where to go, open the practice app, and wait until stopped.

    With `workshop_name`, the open workshop of that name is reopened (or created) and the
    dashboard opens it by itself; `module_ids` and `vignette_ids` choose its vignettes.
    """
    from .loading import load_library
    from .passcode import has_passcode, set_passcode
    from .storage import Store, default_database_url
    from .workshop_plan import start_workshop

    shared = shared_address(host, port, public_url=public_url)
    url = db_url or default_database_url()
    store = Store(url)  # create or migrate the database before any kernel uses it
    started = None
    try:
        if workshop_name:
            started = start_workshop(
                store,
                workshop_name,
                load_library(),
                module_ids=module_ids,
                vignette_ids=vignette_ids,
            )
        if passcode:
            set_passcode(store, passcode)
        supervised = has_passcode(store)
        workshops = [w for w in store.workshops() if not w.closed]
        kept = len(store.attempts(workshop_id=started.workshop.id)) if started else 0
    finally:
        store.close()
    if not port_is_free(host, port):
        raise EmpathyTrainingError(f"port {port} on {host} is in use; choose another with --port")
    preheat = os.environ.get("EMPATHY_TRAINING_PREHEAT", "1") != "0"
    server = plan(db_url=url, host=host, port=port, preheat=preheat)
    trainee_url = server.app_url(PRACTICE_NOTEBOOK, shared.base_url)
    server.env[TRAINEE_URL_ENV] = trainee_url
    if started is not None:
        server.env[WORKSHOP_ENV] = str(started.workshop.id)
    # Voila and its kernels get a process group of their own, stopped together (also on TERM).
    process = subprocess.Popen(server.command, env=server.env, start_new_session=True)
    # Ctrl+C, TERM and HUP stop the server, even when started with SIGINT ignored (a job put in
    # the background by a shell script inherits that, and Python would then keep ignoring it).
    stops = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
    previous = {sig: signal.signal(sig, _interrupt) for sig in stops}
    try:
        wait_until_ready(server.base_url, process)
        print(f"Database: {_safe_url(url)}")
        print(f"Practice app (trainees): {trainee_url}")
        if supervised:
            print(f"Supervisor dashboard: {server.app_url(DASHBOARD_NOTEBOOK, shared.base_url)}")
            print(f"Grading: {server.app_url(GRADING_NOTEBOOK, shared.base_url)}")
        else:
            print("Supervisor apps are locked: start with --passcode to use them.")
        if started is not None:
            workshop = started.workshop
            count = len(workshop.vignette_ids)
            if not started.reopened:
                how = f"created with {count} vignette{'s' if count != 1 else ''}"
            else:
                how = f"reopened ({kept} answer{'s' if kept != 1 else ''} kept)"
                if started.vignettes_changed:
                    how += f", now with {count} vignette{'s' if count != 1 else ''}"
            print(f"Workshop '{workshop.name}' {how}; the dashboard opens it.")
        for workshop in workshops:
            print(f"Join code for '{workshop.name}': {workshop.join_code}")
        if shared.note:
            print(shared.note)
        if shared.warning:
            print(f"Warning: {shared.warning}", file=sys.stderr)
        print("Press Ctrl+C to stop.", flush=True)
        if open_browser:
            webbrowser.open(server.app_url(PRACTICE_NOTEBOOK))
        return process.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
            signal.signal(sig, signal.SIG_IGN)  # a second Ctrl+C must not orphan Voila
        _stop_group(process)
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """Stop Voila and every kernel it started: TERM (Voila always shuts down on it; SIGINT may
    be ignored or, with a terminal, only ask for confirmation), then kill what is left."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except ProcessLookupError:
        return
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    process.wait()


def _safe_url(url: str) -> str:
    """The database URL without its password."""
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        credentials, host = rest.rsplit("@", 1)
        user = credentials.split(":", 1)[0]
        return f"{scheme}://{user}:***@{host}"
    return url
